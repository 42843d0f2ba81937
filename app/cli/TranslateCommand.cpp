#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/TextLineReader.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <iostream>

namespace moewb::cli {

int runTranslateCommand(const std::vector<std::string>& argv) {
    const Arguments args(
        argv,
        {"model", "input", "output", "beam", "batch", "max-length", "length-penalty", "threads"},
        {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb translate [--model M] [--input F] [--output F] [--beam 1]\n"
               "                       [--batch 32] [--max-length 200] [--length-penalty 0.6]\n"
               "Translates German to English, one sentence a line: stdin to stdout, or the\n"
               "given files. --beam 1 is greedy search. Without --model the shipped default\n"
               "model is used.\n";
        return 0;
    }
    configureTorchThreads(args.intValue("threads", 0));
    const auto options = decodeOptions(args);
    auto model = loadModelOption(args);
    std::vector<std::string> lines;
    if (args.has("input")) {
        TextLineReader reader(args.value("input"));
        std::string line;
        while (reader.readLine(line)) {
            lines.push_back(line);
        }
    } else {
        for (std::string line; std::getline(std::cin, line);) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            lines.push_back(line);
        }
    }
    ConsoleFeedback feedback;
    const auto result = Translator(model).translate(lines, options, feedback);
    std::string out;
    for (const auto& t : result.translations) {
        out += t + "\n";
    }
    if (args.has("output")) {
        writeFileAtomic(args.value("output"), out);
    } else {
        std::cout << out << std::flush;
    }
    std::cerr << result.translations.size() << " sentences in " << result.seconds << " s ("
              << result.translations.size() / std::max(result.seconds, 1e-9) << " sentences/s)\n";
    return 0;
}

}  // namespace moewb::cli
