#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/TextLineReader.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/text/SentencePieceModel.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <iostream>

namespace moewb::cli {

namespace {

// Per token and layer the experts that ran: encoder rows over the source pieces, decoder rows
// over the generated pieces (greedy, one call per step).
void printExperts(const NmtModel& model, const std::string& source, const std::string& target,
                  const std::vector<std::shared_ptr<MoeLayer>>& layers) {
    const auto& spm = model.tokenizer();
    auto pieces = [&](const std::string& text) {
        std::vector<std::string> out;
        for (int id : spm.encode(text)) {
            out.push_back(spm.piece(id));
        }
        out.push_back("</s>");
        return out;
    };
    const auto sourcePieces = pieces(source), targetPieces = pieces(target);
    const std::size_t encoderLayers = std::size_t(model.config().encoderLayers);
    std::cerr << "\n" << source << "\n  -> " << target << "\n";
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const bool encoder = l < encoderLayers;
        auto calls = layers[l]->takeRecording();
        if (calls.empty()) {
            continue;
        }
        const auto chosen = torch::cat(calls, 0);  // [tokens, K]
        const auto& names = encoder ? sourcePieces : targetPieces;
        std::cerr << (encoder ? "  encoder" : "  decoder") << (encoder ? l : l - encoderLayers)
                  << ":";
        for (int64_t t = 0; t < chosen.size(0); ++t) {
            std::cerr << " " << (std::size_t(t) < names.size() ? names[std::size_t(t)] : "?")
                      << "[";
            for (int64_t j = 0; j < chosen.size(1); ++j) {
                std::cerr << (j ? "," : "") << chosen[t][j].item<int64_t>();
            }
            std::cerr << "]";
        }
        std::cerr << "\n";
    }
}

}  // namespace

int runTranslateCommand(const std::vector<std::string>& argv) {
    const Arguments args(
        argv,
        {"model", "input", "output", "beam", "batch", "max-length", "length-penalty", "threads",
         "project", "router", "k", "encoder-k", "decoder-k", "tau"},
        {"help", "show-experts", "moe"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb translate [--model M] [--input F] [--output F] [--beam 1]\n"
               "                       [--batch 32] [--max-length 200] [--length-penalty 0.6]\n"
               "Translates German to English, one sentence a line: stdin to stdout, or the\n"
               "given files. --beam 1 is greedy search. Without --model the shipped default\n"
               "model is used.\n"
               "MoE: --project P --router NAME --k K runs every FFN with only K experts per\n"
               "token (the project's model, the router's partition); --encoder-k / --decoder-k\n"
               "set K for the encoder or decoder FFNs alone; --tau T makes K dynamic: each\n"
               "token takes the fewest experts whose router mass reaches T (at most K).\n"
               "A router made by `moewb finetune` runs its fine-tuned model. --moe (no project)\n"
               "runs the shipped fine-tuned MoE of the default model (K = 4 of 16 by default).\n"
               "--show-experts prints, per token,\n"
               "the experts chosen in each layer (to stderr).\n";
        return 0;
    }
    configureTorchThreads(args.intValue("threads", 0));
    const auto options = decodeOptions(args);
    const auto loaded = loadModelWithMoe(args);
    const auto& model = loaded.model;
    const auto& moe = loaded.layers;
    const FfnPlan plan = makeMoePlan(moe);
    const bool showExperts = args.has("show-experts");
    if (showExperts && moe.empty()) {
        throw UsageError("--show-experts needs --router (a dense model has no experts)");
    }
    for (auto& layer : moe) {
        layer->setRecording(showExperts);
    }
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
    if (showExperts && options.batchSize != 1) {
        throw UsageError("--show-experts translates one sentence at a time: add --batch 1");
    }
    if (showExperts && options.beamSize != 1) {
        throw UsageError("--show-experts follows greedy search: use --beam 1");
    }
    TranslationResult result;
    if (showExperts) {
        for (const auto& line : lines) {
            const auto one = Translator(model).translate({line}, options, feedback, &plan);
            result.translations.push_back(one.translations.at(0));
            result.seconds += one.seconds;
            printExperts(*model, line, one.translations.at(0), moe);
        }
    } else {
        result = Translator(model).translate(lines, options, feedback, &plan);
    }
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
