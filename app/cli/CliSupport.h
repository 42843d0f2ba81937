#pragma once
// Small helpers shared by the moewb subcommands: option parsing, console progress, and the
// model plus MoE layers that `translate` and `eval` run with.

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/util/Feedback.h"

#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace moewb {
class MoeLayer;
class NmtModel;
class Project;
}  // namespace moewb

namespace moewb::cli {

// Raised for bad command lines; main prints "moewb <cmd>: <message>" and exits with 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The values a floating-point option accepts; an exclusive bound excludes the value itself.
struct NumberRange {
    double min = 0;
    double max = std::numeric_limits<double>::infinity();
    bool minExclusive = false;
    bool maxExclusive = false;

    static NumberRange between(double lo, double hi) { return {lo, hi, false, false}; }
    static NumberRange atLeast(double lo) { return {lo, kNoMax, false, false}; }
    static NumberRange above(double lo) { return {lo, kNoMax, true, false}; }
    // [lo, hi): fractions such as dropout, where 1 would mean "drop everything".
    static NumberRange upTo(double lo, double hi) { return {lo, hi, false, true}; }
    // (lo, hi): thresholds such as τ.
    static NumberRange inside(double lo, double hi) { return {lo, hi, true, true}; }
    bool contains(double value) const;
    std::string text() const;  // "above 0 and below 1", "at least 0", ...

    static constexpr double kNoMax = std::numeric_limits<double>::infinity();
};

// Strict parsing for every numeric option: the whole text must be the number (no spaces, no
// suffix as in "1x", no hex), finite (no nan or inf) and within the bounds. Throws a UsageError
// naming --option, the text and the accepted range. `hint` (optional) says why the bound exists.
int parseInt(const std::string& option, const std::string& text, int min, int max,
             const char* hint = nullptr);
double parseNumber(const std::string& option, const std::string& text, const NumberRange& range);

// Parses "--name value", "--name=value" and "--flag" options plus positional arguments.
class Arguments {
public:
    // `flags` are options that take no value; every other "--x" takes one.
    Arguments(const std::vector<std::string>& argv, const std::vector<std::string>& valueOptions,
              const std::vector<std::string>& flags);

    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    // Numbers are parsed strictly (parseInt / parseNumber above): `fallback` when the option is
    // absent, else its value within the bounds, or a UsageError naming the option.
    int intValue(const std::string& name, int fallback, int min, int max,
                 const char* hint = nullptr) const;
    double doubleValue(const std::string& name, double fallback, const NumberRange& range) const;
    // Comma-separated lists ("1,2,4"); empty when the option is absent.
    std::vector<int> intListValue(const std::string& name, int min, int max) const;
    std::vector<double> doubleListValue(const std::string& name, const NumberRange& range) const;
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

// Commands with fixed positional arguments (PROJECT, IN OUT, ...): exactly names.size() of
// them, else a one-line UsageError naming the first missing one or the first extra argument
// (the command's full usage is one --help away).
void requirePositional(const Arguments& args, const std::string& command,
                       const std::vector<std::string>& names);

// The most tokens a --tokens option takes: FFN inputs are kept in memory (a million tokens of a
// 6-layer d_model 256 model are 6 GB).
constexpr int kMaxTokens = 1000000;
// Seeds are any non-negative int.
constexpr int kMaxSeed = std::numeric_limits<int>::max();

// --threads: 0 (the default) means every core; at most 4 threads per core, since more only
// queue up behind each other (and 100 000 threads hang the machine).
int threadsOption(const Arguments& args);

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

// A duration such as 30m, 2h or 90s (plain numbers are minutes), in seconds; strict like
// parseNumber() and above zero. `option` names the option in errors.
double parseDuration(const std::string& text, const std::string& option = "time-budget");

// After a step that rewrote an artifact: a note on stderr for every router or sweep of the
// project that no longer matches its parents (ArtifactLineage.h), saying what to re-run.
void printStaleArtifactNotes(const Project& project);

// The corpus a MoE step trains on (loadTrainingData(), ProjectSteps.h): --src/--tgt (Moses
// files), --tsv, or else the Ding dictionary's sentence train split (--ding-path overrides where
// the dictionary lives). A lone --src or --tgt is a UsageError.
CorpusSource trainingSource(const Arguments& args);

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
