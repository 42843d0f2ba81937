#pragma once
// Small helpers shared by the moewb subcommands: option parsing, console progress, and the
// model plus MoE layers that `translate` and `eval` run with.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/util/Feedback.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace moewb {
class MoeLayer;
class NmtModel;
}  // namespace moewb

namespace moewb::cli {

// Raised for bad command lines; main prints "moewb <cmd>: <message>" and exits with 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses "--name value", "--name=value" and "--flag" options plus positional arguments.
class Arguments {
public:
    // `flags` are options that take no value; every other "--x" takes one.
    Arguments(const std::vector<std::string>& argv, const std::vector<std::string>& valueOptions,
              const std::vector<std::string>& flags);

    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    int intValue(const std::string& name, int fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

// Prints throttled progress to stderr as one updating line ("[ 42%] message").
class ConsoleFeedback : public Feedback {
public:
    ConsoleFeedback();
    ~ConsoleFeedback() override;

protected:
    void onProgress(double fraction, const std::string& message) override;

private:
    bool m_tty = false;
    bool m_dirty = false;
    std::string m_message;
};

// One subcommand.
struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);  // returns the exit code
};

// A duration such as 30m, 2h or 90s (plain numbers are minutes), in seconds.
double parseDuration(const std::string& text);

// The training pairs a MoE step reads: --src/--tgt (Moses files), --tsv, or else the Ding
// dictionary's sentence train split (--ding-path overrides where the dictionary lives).
ParallelCorpus readTrainingData(const Arguments& args, Feedback& feedback);

// The options of a command that can translate with experts: --model M, or --project P --router
// NAME with --k K / --encoder-k K / --decoder-k K (default N / 4) and --tau T (dynamic K) for the
// project's model (or the fine-tuned model the router was trained on) run with the router's
// partition.
struct ModelWithMoe {
    std::shared_ptr<NmtModel> model;  // what the MoE layers run with (a fine-tuned model, if any)
    std::shared_ptr<NmtModel> denseModel;           // the dense reference (often == model)
    std::vector<std::shared_ptr<MoeLayer>> layers;  // one per FFN; empty without --router
};
// Loads what the options above name; the layers are not installed. Prints the MoE choice to
// stderr. Throws UsageError for --router without --project, --router with --model, or K options
// without --router.
ModelWithMoe loadModelWithMoe(const Arguments& args);

}  // namespace moewb::cli
