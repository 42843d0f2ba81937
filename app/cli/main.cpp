// moewb: the MoE Workbench command line. Parses options and calls core; nothing else.
#include "CliSupport.h"
#include "Commands.h"

#include "moewb/util/ErrorText.h"
#include "moewb/util/Feedback.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>

namespace {

using moewb::cli::Command;

const Command kCommands[] = {
    {"corpus", "read a corpus, print pair counts per split and length statistics, write splits",
     moewb::cli::runCorpusCommand},
    {"bleu", "score a hypothesis file against a reference file (sacreBLEU-compatible)",
     moewb::cli::runBleuCommand},
    {"train", "train a tokenizer and Transformer on parallel data (checkpoints, resume)",
     moewb::cli::runTrainCommand},
    {"translate", "translate German to English (stdin/stdout or files; greedy or beam)",
     moewb::cli::runTranslateCommand},
    {"eval", "BLEU and speed of a model on a test set (default: the built-in demo set)",
     moewb::cli::runEvalCommand},
    {"info", "show a model's configuration, size and training record", moewb::cli::runInfoCommand},
    {"convert", "rewrite a model file with float16 or float32 weights",
     moewb::cli::runConvertCommand},
    {"profile", "FFN sparsity and co-activation of a model, saved in a project folder",
     moewb::cli::runProfileCommand},
    {"partition", "split every FFN layer into N experts (metis, kmeans, importance, random)",
     moewb::cli::runPartitionCommand},
    {"route", "build routers (oracle, similarity, trained MLP, hash) over a partition; recall@K",
     moewb::cli::runRouteCommand},
    {"finetune", "fine-tune the model to run K of N experts (distillation from the dense model)",
     moewb::cli::runFinetuneCommand},
    {"sweep", "BLEU, time, speedup, recall and FFN error for K = 1, 2, 4, ... N (or a grid)",
     moewb::cli::runSweepCommand},
    {"export-figures", "write every figure of a project as PNG, PDF and SVG (headless)",
     moewb::cli::runExportFiguresCommand},
    {"demo", "the headless main job: profile, partition, routers, comparison table, sweep",
     moewb::cli::runDemoCommand},
    {"system", "show threads, the BLAS LibTorch uses and a matrix-product timing",
     moewb::cli::runSystemCommand},
};

void printUsage(std::ostream& out) {
    out << "usage: moewb <command> [options]   (moewb <command> --help for its options)\n\n"
           "MoE Workbench " MOEWB_VERSION
           " - MoEfication of a German-English Transformer, headless.\n\ncommands:\n";
    std::size_t width = 0;
    for (const auto& command : kCommands) {
        width = std::max(width, std::strlen(command.name));
    }
    for (const auto& command : kCommands) {
        out << "  " << command.name << std::string(width + 2 - std::strlen(command.name), ' ')
            << command.summary << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        printUsage(argc < 2 ? std::cerr : std::cout);
        return argc < 2 ? 2 : 0;
    }
    if (std::strcmp(argv[1], "--version") == 0) {
        std::cout << "moewb " MOEWB_VERSION "\n";
        return 0;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& command : kCommands) {
        if (std::strcmp(argv[1], command.name) != 0) {
            continue;
        }
        try {
            return command.run(args);
        } catch (const moewb::cli::UsageError& e) {
            std::cerr << "moewb " << command.name << ": " << e.what() << "\n";
            return 2;
        } catch (const moewb::OperationCancelled&) {
            std::cerr << "moewb " << command.name << ": cancelled\n";
            return 130;
        } catch (const std::bad_alloc&) {
            std::cerr << "moewb " << command.name
                      << ": out of memory (try smaller --batch, --beam or --tokens)\n";
            return 1;
        } catch (const std::exception& e) {
            // One line, never a LibTorch backtrace: the user needs the cause, not our stack.
            std::cerr << "moewb " << command.name << ": "
                      << (moewb::isTorchError(e) ? "LibTorch error: " : "") << moewb::errorText(e)
                      << "\n";
            return 1;
        }
    }
    // One line, like every other usage error: the list of commands is one --help away.
    std::cerr << "moewb: unknown command '" << argv[1] << "' (moewb --help lists the commands)\n";
    return 2;
}
