#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/TextLineReader.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/SentencePieceModel.h"
#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

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
    // The source exactly as the encoder read it (truncated like Translator::translate); the
    // target as its text encodes again.
    const auto sourcePieces = Translator::sourcePieces(model, source);
    const auto targetPieces = pieces(target);
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

// The input lines, from --input or stdin, one at a time.
class LineSource {
public:
    explicit LineSource(const std::string& path) {
        if (!path.empty()) {
            m_file = std::make_unique<TextLineReader>(path);
        }
    }
    bool next(std::string& line) {
        if (m_file) {
            return m_file->readLine(line);
        }
        if (!std::getline(std::cin, line)) {
            return false;
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        return true;
    }
    // Fraction of the input read; unknown (-1) for stdin.
    double progress() const { return m_file ? m_file->progress() : -1.0; }

private:
    std::unique_ptr<TextLineReader> m_file;
};

// Where translations go: stdout, or the --output file written in place, chunk by chunk, so a
// stopped run keeps what it finished (an atomic replace would keep nothing). Writing in place
// also writes through a symlink and into a FIFO, and keeps an existing file's mode. The file is
// opened at the first write, so an error before any translation leaves it untouched.
class LineSink {
public:
    explicit LineSink(std::string path) : m_path(std::move(path)) {}
    ~LineSink() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    LineSink(const LineSink&) = delete;
    LineSink& operator=(const LineSink&) = delete;

    void write(const std::string& text) {
        if (m_path.empty()) {
            std::cout << text << std::flush;
            if (!std::cout) {
                throw std::runtime_error("cannot write the translations to standard output");
            }
            return;
        }
        open();
        for (std::size_t done = 0; done < text.size();) {
            const ssize_t n = ::write(m_fd, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                throw std::runtime_error("cannot write " + m_path + ": " + std::strerror(errno) +
                                         " (the lines before this chunk are in it)");
            }
            done += static_cast<std::size_t>(n);
        }
    }
    // An empty input still gives an (empty) output file.
    void finish() {
        if (!m_path.empty()) {
            open();
        }
    }

private:
    void open() {
        if (m_fd >= 0) {
            return;
        }
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (m_fd < 0) {
            throw std::runtime_error("cannot open " + m_path + " for writing: " +
                                     std::strerror(errno) + " (check the folder and permissions)");
        }
    }

    std::string m_path;
    int m_fd = -1;
};

// Whether two paths name the same existing file (then writing one truncates the other).
bool sameFile(const std::string& a, const std::string& b) {
    struct stat first {
    }, second{};
    return ::stat(a.c_str(), &first) == 0 && ::stat(b.c_str(), &second) == 0 &&
           first.st_dev == second.st_dev && first.st_ino == second.st_ino;
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
               "                       [--threads N]\n"
               "Translates German to English, one sentence a line: stdin to stdout, or the\n"
               "given files. --beam 1 is greedy search. Without --model the shipped default\n"
               "model is used. Lines are read, translated and written in chunks of 64 (or\n"
               "--batch) lines, one at a time from a terminal, so a stopped run keeps what it\n"
               "finished; --output is written in place. An empty or blank line gives an empty\n"
               "line. Bounds: --beam 1..64, --batch 1..1024, --max-length 1..1024 target\n"
               "tokens (the model's positions), --length-penalty 0..5, --threads 0..4 per core\n"
               "(0 = every core).\n"
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
    requirePositional(args, "translate", {});
    configureTorchThreads(threadsOption(args));
    const auto options = decodeOptions(args);
    const bool showExperts = args.has("show-experts");
    if (showExperts && options.batchSize != 1) {
        throw UsageError("--show-experts translates one sentence at a time: add --batch 1");
    }
    if (showExperts && options.beamSize != 1) {
        throw UsageError("--show-experts follows greedy search: use --beam 1");
    }
    const std::string inputPath = args.value("input"), outputPath = args.value("output");
    if (!inputPath.empty() && !outputPath.empty() && sameFile(inputPath, outputPath)) {
        throw UsageError("--output " + outputPath +
                         " is the --input file: writing it would erase the input; choose "
                         "another output file");
    }
    const auto loaded = loadModelWithMoe(args);
    const auto& model = loaded.model;
    const auto& moe = loaded.layers;
    const FfnPlan plan = makeMoePlan(moe);
    if (showExperts && moe.empty()) {
        throw UsageError("--show-experts needs --router (a dense model has no experts)");
    }
    for (auto& layer : moe) {
        layer->setRecording(showExperts);
    }
    LineSource source(inputPath);
    LineSink sink(outputPath);
    // A terminal gets each line back as it is typed; files and pipes go in chunks of at least
    // 64 lines (or one batch), enough to fill the batches.
    const bool interactive = inputPath.empty() && ::isatty(STDIN_FILENO) != 0;
    const std::size_t chunkLines =
        interactive ? 1 : std::max<std::size_t>(64, std::size_t(options.batchSize));
    const Translator translator(model);
    ConsoleFeedback feedback;
    Feedback quiet;  // per-chunk batch progress; the input's progress is reported instead
    std::size_t sentences = 0;
    double seconds = 0;
    std::vector<std::string> lines;
    for (bool more = true; more;) {
        lines.clear();
        std::string line;
        while (lines.size() < chunkLines && (more = source.next(line))) {
            lines.push_back(line);
        }
        if (lines.empty()) {
            break;
        }
        std::string out;
        for (std::size_t i = 0; i < (showExperts ? lines.size() : 1); ++i) {
            const std::vector<std::string> batch =
                showExperts ? std::vector<std::string>{lines[i]} : lines;
            const auto result = translator.translate(batch, options, quiet, &plan);
            seconds += result.seconds;
            for (const auto& t : result.translations) {
                out += t + "\n";
            }
            if (showExperts) {
                printExperts(*model, lines[i], result.translations.at(0), moe);
            }
        }
        sink.write(out);
        sentences += lines.size();
        if (source.progress() >= 0) {
            feedback.setProgress(source.progress(),
                                 "translated " + std::to_string(sentences) + " sentences");
        }
    }
    sink.finish();
    std::cerr << sentences << " sentences in " << seconds << " s ("
              << sentences / std::max(seconds, 1e-9) << " sentences/s)\n";
    return 0;
}

}  // namespace moewb::cli
