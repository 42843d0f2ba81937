#include "CliSupport.h"
#include "ModelOption.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactLineage.h"
#include "moewb/project/Project.h"
#include "moewb/project/ShippedMoe.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/workflow/ProjectMoe.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <thread>

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

namespace {

std::string formatNumber(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// The items of a comma-separated list; an empty item (",,", a trailing comma) is kept so that
// the caller's parser refuses it.
std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::size_t begin = 0;
    while (true) {
        const auto comma = text.find(',', begin);
        items.push_back(text.substr(begin, comma - begin));
        if (comma == std::string::npos) {
            return items;
        }
        begin = comma + 1;
    }
}

}  // namespace

bool NumberRange::contains(double value) const {
    const bool aboveMin = minExclusive ? value > min : value >= min;
    const bool belowMax = maxExclusive ? value < max : value <= max;
    return aboveMin && belowMax;
}

std::string NumberRange::text() const {
    if (!minExclusive && !maxExclusive && std::isfinite(max)) {
        return "from " + formatNumber(min) + " to " + formatNumber(max);
    }
    std::string out = (minExclusive ? "above " : "at least ") + formatNumber(min);
    if (std::isfinite(max)) {
        out += (maxExclusive ? " and below " : " and at most ") + formatNumber(max);
    }
    return out;
}

int parseInt(const std::string& option, const std::string& text, int min, int max,
             const char* hint) {
    const std::string range =
        "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    const std::string why = hint ? std::string(" (") + hint + ")" : std::string();
    long long value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || ptr != end || error == std::errc::invalid_argument) {
        throw UsageError("--" + option + " needs " + range + ", not '" + text + "'" + why);
    }
    if (error == std::errc::result_out_of_range || value < min || value > max) {
        throw UsageError("--" + option + " " + text + " is out of range: use " + range + why);
    }
    return static_cast<int>(value);
}

double parseNumber(const std::string& option, const std::string& text, const NumberRange& range) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || ptr != end || error != std::errc() || !std::isfinite(value)) {
        throw UsageError("--" + option + " needs a number " + range.text() + ", not '" + text +
                         "'");
    }
    if (!range.contains(value)) {
        throw UsageError("--" + option + " " + text + " is out of range: use a number " +
                         range.text());
    }
    return value;
}

int Arguments::intValue(const std::string& name, int fallback, int min, int max,
                        const char* hint) const {
    return has(name) ? parseInt(name, value(name), min, max, hint) : fallback;
}

double Arguments::doubleValue(const std::string& name, double fallback,
                              const NumberRange& range) const {
    return has(name) ? parseNumber(name, value(name), range) : fallback;
}

std::vector<int> Arguments::intListValue(const std::string& name, int min, int max) const {
    std::vector<int> values;
    if (has(name)) {
        for (const auto& item : splitList(value(name))) {
            values.push_back(parseInt(name, item, min, max, "a comma-separated list, e.g. 1,2,4"));
        }
    }
    return values;
}

std::vector<double> Arguments::doubleListValue(const std::string& name,
                                               const NumberRange& range) const {
    std::vector<double> values;
    if (has(name)) {
        for (const auto& item : splitList(value(name))) {
            values.push_back(parseNumber(name, item, range));
        }
    }
    return values;
}

void requirePositional(const Arguments& args, const std::string& command,
                       const std::vector<std::string>& names) {
    const auto& given = args.positional();
    if (given.size() > names.size()) {
        throw UsageError("unexpected argument '" + given[names.size()] + "' (see --help)");
    }
    if (given.size() < names.size()) {
        std::string synopsis = "moewb " + command;
        for (const auto& name : names) {
            synopsis += " " + name;
        }
        throw UsageError("needs " + names[given.size()] + ": " + synopsis +
                         " [options] (see --help)");
    }
}

int threadsOption(const Arguments& args) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::string hint =
        "0 = every core; at most 4 per core, and this machine has " + std::to_string(cores);
    return args.intValue("threads", 0, 0, 4 * cores, hint.c_str());
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

double parseDuration(const std::string& text, const std::string& option) {
    double factor = 60.0;  // plain numbers are minutes
    std::string number = text;
    if (!text.empty()) {
        switch (text.back()) {
            case 's':
                factor = 1.0;
                number.pop_back();
                break;
            case 'm':
                number.pop_back();
                break;
            case 'h':
                factor = 3600.0;
                number.pop_back();
                break;
            default:
                break;
        }
    }
    try {
        return parseNumber(option, number, NumberRange::above(0)) * factor;
    } catch (const UsageError&) {
        throw UsageError("--" + option +
                         " needs a duration above zero such as 30m, 2h or 90s (plain numbers are "
                         "minutes), not '" +
                         text + "'");
    }
}

void printStaleArtifactNotes(const Project& project) {
    for (const auto& stale : findStaleArtifacts(project)) {
        std::cerr << "note: " << stale.reason << "\n";
    }
}

CorpusSource trainingSource(const Arguments& args) {
    CorpusSource source;
    if (args.has("src") || args.has("tgt")) {
        if (!args.has("src") || !args.has("tgt")) {
            throw UsageError("a Moses corpus needs both --src and --tgt");
        }
        source.kind = CorpusSource::Kind::Moses;
        source.sourcePath = args.value("src");
        source.targetPath = args.value("tgt");
    } else if (args.has("tsv")) {
        source.kind = CorpusSource::Kind::Tsv;
        source.path = args.value("tsv");
    } else {
        source.path = args.value("ding-path", source.path);
    }
    return source;
}

namespace {

// The MoE layers of every FFN of `moe`, with K per layer from --k, --encoder-k, --decoder-k
// (default N / 4) and the dynamic-K threshold --tau.
std::vector<std::shared_ptr<MoeLayer>> moeLayersFor(const ProjectMoe& moe, const std::string& label,
                                                    const Arguments& args) {
    const int n = moe.numExperts();
    const std::string hint = "the partition has " + std::to_string(n) + " experts";
    const int k = args.intValue("k", std::max(1, n / 4), 1, n, hint.c_str());
    const int encoderK = args.intValue("encoder-k", k, 1, n, hint.c_str());
    const int decoderK = args.intValue("decoder-k", k, 1, n, hint.c_str());
    const double tau = args.doubleValue("tau", 0.0, NumberRange::inside(0, 1));
    auto layers = makeMoeLayers(moe.experts, *moe.routers, moe.model->config().encoderLayers,
                                encoderK, decoderK, tau);
    std::cerr << "MoE: " << label << " (" << moe.routers->kind << " router over "
              << moe.routers->partition << "), N = " << n << ", encoder K = " << encoderK
              << ", decoder K = " << decoderK;
    if (tau > 0) {
        std::cerr << " (dynamic: the fewest experts reaching router mass " << tau << ", at most K)";
    }
    std::cerr << "\n";
    return layers;
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
        out.layers = moeLayersFor(loadMoeFiles(shipped->partition, shipped->router, out.model),
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
    out.denseModel = NmtModel::load(project.modelPath());
    const auto moe = loadProjectMoe(project, args.value("router"), out.denseModel);
    out.model = moe.model;
    if (moe.fineTuned) {
        std::cerr << "MoE model: " << moe.modelPath << " (fine-tuned)\n";
    }
    out.layers = moeLayersFor(moe, "router " + args.value("router"), args);
    return out;
}

}  // namespace moewb::cli
