#include "CliSupport.h"
#include "ModelOption.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/project/ShippedMoe.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace moewb::cli {

Arguments::Arguments(const std::vector<std::string>& argv,
                     const std::vector<std::string>& valueOptions,
                     const std::vector<std::string>& flags) {
    auto known = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
            std::string name = arg.substr(2);
            std::string value;
            bool inlineValue = false;
            if (const auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                inlineValue = true;
            }
            if (known(flags, name)) {
                if (inlineValue) {
                    throw UsageError("option --" + name + " takes no value");
                }
                m_values[name] = "1";
            } else if (known(valueOptions, name)) {
                if (!inlineValue) {
                    if (i + 1 >= argv.size()) {
                        throw UsageError("option --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                m_values[name] = value;
            } else {
                throw UsageError("unknown option --" + name + " (see --help)");
            }
        } else {
            m_positional.push_back(arg);
        }
    }
}

std::string Arguments::value(const std::string& name, const std::string& fallback) const {
    const auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

int Arguments::intValue(const std::string& name, int fallback) const {
    if (!has(name)) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        const int v = std::stoi(value(name), &used);
        if (used != value(name).size()) {
            throw std::invalid_argument("trailing");
        }
        return v;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " needs an integer, not '" + value(name) + "'");
    }
}

double Arguments::doubleValue(const std::string& name, double fallback) const {
    if (!has(name)) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        const double v = std::stod(value(name), &used);
        if (used != value(name).size()) {
            throw std::invalid_argument("trailing");
        }
        return v;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " needs a number, not '" + value(name) + "'");
    }
}

ConsoleFeedback::ConsoleFeedback() : m_tty(::isatty(STDERR_FILENO) != 0) {
    setThrottle(std::chrono::milliseconds(m_tty ? 200 : 2000));
}

ConsoleFeedback::~ConsoleFeedback() {
    if (m_tty && m_dirty) {
        std::cerr << "\n";
    }
}

void ConsoleFeedback::onProgress(double fraction, const std::string& message) {
    if (!message.empty()) {
        m_message = message;
    }
    char percent[16];
    std::snprintf(percent, sizeof percent, "[%3d%%] ", static_cast<int>(fraction * 100.0 + 0.5));
    if (m_tty) {
        std::cerr << "\r\033[K" << percent << m_message << std::flush;
        m_dirty = fraction < 1.0;
        if (!m_dirty) {
            std::cerr << "\n";
        }
    } else {
        std::cerr << percent << m_message << "\n";
    }
}

double parseDuration(const std::string& text) {
    if (text.empty()) {
        throw UsageError("--time-budget needs a value such as 30m, 2h or 90s");
    }
    double factor = 60.0;  // plain numbers are minutes
    std::string number = text;
    switch (text.back()) {
        case 's':
            factor = 1.0;
            number.pop_back();
            break;
        case 'm':
            factor = 60.0;
            number.pop_back();
            break;
        case 'h':
            factor = 3600.0;
            number.pop_back();
            break;
        default:
            break;
    }
    try {
        return std::stod(number) * factor;
    } catch (const std::exception&) {
        throw UsageError("--time-budget needs a value such as 30m, 2h or 90s, not '" + text + "'");
    }
}

ParallelCorpus readTrainingData(const Arguments& args, Feedback& feedback) {
    if (args.has("src")) {
        return readMosesCorpus(args.value("src"), args.value("tgt"), feedback);
    }
    if (args.has("tsv")) {
        return readTsvCorpus(args.value("tsv"), feedback);
    }
    CorpusSource ding;
    ding.path = args.value("ding-path", ding.path);
    return splitCorpus(loadCorpus(ding, feedback), SplitOptions{}).train;
}

namespace {

// The MoE layers of every FFN for a router file over a partition, with K per layer from --k,
// --encoder-k, --decoder-k (default N / 4) and the dynamic-K threshold --tau.
std::vector<std::shared_ptr<MoeLayer>> moeLayersFor(NmtModel& model, const PartitionSet& partition,
                                                    const std::string& routerPath,
                                                    const std::string& label,
                                                    const Arguments& args) {
    const auto experts = buildExperts(model, partition);
    const auto routers = loadRouterSet(routerPath, experts);
    const int n = experts.at(0)->numExperts();
    const int k = args.intValue("k", std::max(1, n / 4));
    const int encoderK = args.intValue("encoder-k", k);
    const int decoderK = args.intValue("decoder-k", k);
    const std::size_t encoderLayers = std::size_t(model.config().encoderLayers);
    const double tau = args.doubleValue("tau", 0.0);
    std::vector<std::shared_ptr<MoeLayer>> layers;
    for (std::size_t i = 0; i < experts.size(); ++i) {
        layers.push_back(std::make_shared<MoeLayer>(experts[i], routers.layers.at(i),
                                                    i < encoderLayers ? encoderK : decoderK));
        layers.back()->setThreshold(tau);
    }
    std::cerr << "MoE: " << label << " (" << routers.kind << " router over " << routers.partition
              << "), N = " << n << ", encoder K = " << encoderK << ", decoder K = " << decoderK;
    if (tau > 0) {
        std::cerr << " (dynamic: the fewest experts reaching router mass " << tau << ", at most K)";
    }
    std::cerr << "\n";
    return layers;
}

// The same for the router set NAME of the project.
std::vector<std::shared_ptr<MoeLayer>> loadMoeLayers(const Project& project, NmtModel& model,
                                                     const std::string& routerName,
                                                     const Arguments& args) {
    const std::string path = project.routerPath(routerName);
    const std::string partition = readRouterHeader(path).partition;
    return moeLayersFor(model, loadPartitionSet(project.partitionPath(partition)), path,
                        "router " + routerName, args);
}

}  // namespace

ModelWithMoe loadModelWithMoe(const Arguments& args) {
    ModelWithMoe out;
    if (args.has("moe")) {
        if (args.has("router") || args.has("project") || args.has("model")) {
            throw UsageError(
                "--moe runs the shipped fine-tuned MoE of the default model; drop "
                "--model/--project/--router (or drop --moe to use a project's)");
        }
        const auto shipped = findShippedMoe();
        if (!shipped) {
            throw UsageError(
                "this installation has no shipped MoE (resources/models/"
                "default-moe/); use --project P --router NAME instead");
        }
        out.denseModel = NmtModel::load(NmtModel::defaultModelPath());
        out.model = NmtModel::load(shipped->model);
        out.layers = moeLayersFor(*out.model, loadPartitionSet(shipped->partition), shipped->router,
                                  "shipped default-moe", args);
        return out;
    }
    if (!args.has("router")) {
        if (args.has("k") || args.has("encoder-k") || args.has("decoder-k") || args.has("tau")) {
            // K options without a router: a plain model has no experts.
            throw UsageError("--k needs --moe (the shipped MoE) or --project and --router");
        }
        out.model = loadModelOption(args);
        out.denseModel = out.model;
        return out;
    }
    if (!args.has("project")) {
        throw UsageError("--router needs --project (the folder holding routers/NAME.json)");
    }
    if (args.has("model")) {
        throw UsageError("with --router the model is the project's; drop --model");
    }
    const auto project = Project::open(args.value("project"));
    // A router trained on a fine-tuned model runs with that model (DESIGN.md §10b).
    const std::string tuned = readRouterHeader(project.routerPath(args.value("router"))).model;
    out.denseModel = NmtModel::load(project.modelPath());
    out.model = out.denseModel;
    if (!tuned.empty()) {
        out.model = NmtModel::load(project.modelFilePath(tuned));
        std::cerr << "MoE model: " << project.modelFilePath(tuned) << " (fine-tuned)\n";
    }
    out.layers = loadMoeLayers(project, *out.model, args.value("router"), args);
    return out;
}

}  // namespace moewb::cli
