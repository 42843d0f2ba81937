#include "MoeTestSupport.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace moewb;

namespace {

// Two rounds keep the tests quick; the timing rules themselves are tested with fake durations in
// test_InterleavedTiming.
InterleavedTimingOptions quickTiming() {
    InterleavedTimingOptions timing;
    timing.minRounds = 2;
    timing.maxRounds = 2;
    return timing;
}

// Cancels its operation once progress passes `at` (throttling off, so every report is seen).
class CancelAt : public Feedback {
public:
    explicit CancelAt(double at) : m_at(at) { setThrottle(std::chrono::milliseconds(0)); }
    double cancelledAt = -1;

protected:
    void onProgress(double fraction, const std::string&) override {
        if (fraction >= m_at && !isCancelled()) {
            cancelledAt = fraction;
            cancel();
        }
    }

private:
    double m_at;
};

// BLEU of `sources` translated as the translator does it, dense or with K experts per layer:
// the reference the sweep's BLEU must equal.
double translatorBleu(const std::shared_ptr<NmtModel>& model,
                      const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                      const RouterSet& routers, int k, const ParallelCorpus& corpus,
                      const DecodeOptions& decoding, std::vector<std::string>* translations) {
    std::vector<std::string> sources, references;
    for (const auto& p : corpus.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    std::vector<std::shared_ptr<MoeLayer>> layers;
    for (std::size_t l = 0; k > 0 && l < experts.size(); ++l) {
        layers.push_back(std::make_shared<MoeLayer>(experts[l], routers.layers[l], k));
    }
    const FfnPlan plan = makeMoePlan(layers);
    Feedback feedback;
    auto out = Translator(model).translate(sources, decoding, feedback, k > 0 ? &plan : nullptr);
    if (translations) {
        *translations = out.translations;
    }
    return corpusBleu(out.translations, references).score;
}

}  // namespace

class TestSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void sweepCoversEveryKAndFullKEqualsDense() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "random", 4);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback);
        RouterTrainingOptions routerOptions;
        routerOptions.kind = "oracle";
        auto routers = trainRouters(experts, inputs, routerOptions, feedback);
        routers.partition = "random";
        ParallelCorpus test;
        test.pairs = test::sixteenPairs();
        SweepOptions options;
        options.decoding.maxLength = 12;
        options.timing = quickTiming();
        const auto result = runSweep(*model, experts, routers, test, inputs, options, feedback);
        QCOMPARE(result.rows.size(), std::size_t(3));  // K = 1, 2, 4
        QCOMPARE(result.rows.back().encoderK, 4);
        QCOMPARE(result.rows.back().bleu, result.dense.bleu);
        QVERIFY(result.rows.back().ffnError < 1e-6);
        QVERIFY(result.rows.front().ffnError > result.rows[1].ffnError);
        QVERIFY(result.dense.ffnSeconds > 0 && result.dense.ffnSeconds < result.dense.seconds);
        QVERIFY(result.toCsv().rfind("partition,router,encoder_k", 0) == 0);
        QCOMPARE(result.toJson()["rows"].size(), std::size_t(3));
        QCOMPARE(result.toJson()["format_version"].get<int>(), kSweepFormatVersion);
        // Timing fields: two interleaved rounds per K, the dense row pools all dense rounds. The
        // ratios' values depend on the machine, so only their consistency is checked.
        QCOMPARE(result.dense.rounds, 3 * 2);
        QCOMPARE(result.dense.speedup, 1.0);
        QVERIFY(result.dense.targetTokens > 0);
        for (const auto& row : result.rows) {
            QCOMPARE(row.rounds, 2);
            QVERIFY(row.speedup > 0 && std::isfinite(row.speedup));
            QVERIFY(row.speedupSpread >= 0);
            QVERIFY(row.ffnSpeedup > 0);
            QVERIFY(row.targetTokens > 0);
            QVERIFY(row.secondsPerToken() > 0);
            QVERIFY(qFuzzyCompare(row.tokenSpeedup, row.speedup * double(row.targetTokens) /
                                                        double(result.dense.targetTokens)));
        }
        // K = N writes the dense output: per token and per sentence are the same ratio.
        QCOMPARE(result.rows.back().targetTokens, result.dense.targetTokens);
        QCOMPARE(result.rows.back().tokenSpeedup, result.rows.back().speedup);

        options.grid = true;
        options.encoderKs = {1, 4};
        options.decoderKs = {2, 4};
        options.timing.minRounds = options.timing.maxRounds = 1;
        const auto grid = runSweep(*model, experts, routers, test, inputs, options, feedback);
        QCOMPARE(grid.rows.size(), std::size_t(4));
        QCOMPARE(grid.rows[1].encoderK, 1);
        QCOMPARE(grid.rows[1].decoderK, 4);
        QCOMPARE(grid.rows[1].rounds, 1);
        QCOMPARE(grid.rows[1].speedupSpread, 0.0);  // one round: nothing to spread

        const auto table = runComparisonTable(*model, experts, routers, test, {4, 8}, {1, 2},
                                              options.decoding, feedback, quickTiming());
        QCOMPARE(table.cells.size(), std::size_t(2));
        QCOMPARE(table.cells[0].size(), std::size_t(3));
        QVERIFY(table.toText().find("K=2") != std::string::npos);
        QVERIFY(table.toText().find(" ± ") != std::string::npos);
        for (const auto& row : table.cells) {
            QCOMPARE(row[0].speedup, 1.0);  // dense against itself, round by round
            QCOMPARE(row[0].speedupSpread, 0.0);
            for (const auto& cell : row) {
                QCOMPARE(cell.rounds, 2);
                QVERIFY(cell.speedup > 0 && cell.speedupSpread >= 0);
                QVERIFY(cell.targetTokens > 0 && cell.tokenSpeedup > 0);
            }
        }
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());  // the model is back to dense
        }
    }

    // On the shipped default model the BLEU values mean something (the tiny untrained model
    // scores 0 at every K, so no BLEU check there could fail): each row's BLEU is exactly the
    // translator's with that K, K = N is dense, and fewer experts change the output.
    void sweepBleuIsTheTranslatorsBleuOnTheDefaultModel() {
        auto model = NmtModel::load(NmtModel::defaultModelPath());
        model->transformer()->eval();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "kmeans", 4);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback);
        RouterTrainingOptions routerOptions;
        routerOptions.kind = "similarity";
        auto routers = trainRouters(experts, inputs, routerOptions, feedback);
        routers.partition = "kmeans";
        ParallelCorpus test;
        const auto pairs = test::sixteenPairs();
        test.pairs.assign(pairs.begin(), pairs.begin() + 8);
        SweepOptions options;
        options.decoding.maxLength = 40;
        options.timing.minRounds = options.timing.maxRounds = 1;
        const auto result = runSweep(*model, experts, routers, test, inputs, options, feedback);
        QCOMPARE(result.rows.size(), std::size_t(3));  // K = 1, 2, 4

        std::vector<std::string> dense;
        const double denseBleu =
            translatorBleu(model, experts, routers, 0, test, options.decoding, &dense);
        qInfo("default model on 8 test pairs: dense BLEU %.2f; K = 1, 2, 4: %.2f %.2f %.2f",
              denseBleu, result.rows[0].bleu, result.rows[1].bleu, result.rows[2].bleu);
        QVERIFY2(denseBleu > 20, "the check below needs a model that translates these pairs");
        QCOMPARE(result.dense.bleu, denseBleu);
        for (const auto& row : result.rows) {
            QCOMPARE(row.bleu, translatorBleu(model, experts, routers, row.encoderK, test,
                                              options.decoding, nullptr));
        }
        QCOMPARE(result.rows.back().bleu, denseBleu);
        QVERIFY2(result.rows.front().bleu != denseBleu, "K = 1 of 4 left every translation as is");
        QVERIFY(result.rows.back().ffnError < 1e-6);
        QVERIFY(result.rows[0].ffnError > result.rows[1].ffnError);
        QVERIFY(result.rows[1].ffnError > result.rows[2].ffnError);
        QVERIFY(result.rows[0].recall < result.rows[1].recall);
        QCOMPARE(result.rows[2].recall, 1.0);

        // The classic table: dense and K = 1 cells are the same BLEU on the same sentences.
        const auto table = runComparisonTable(*model, experts, routers, test, {8}, {1, 4},
                                              options.decoding, feedback, options.timing);
        QCOMPARE(table.cells.at(0).at(0).bleu, denseBleu);
        QCOMPARE(table.cells[0][1].bleu, result.rows[0].bleu);
        QCOMPARE(table.cells[0][2].bleu, denseBleu);

        // Cancelled part-way: it stops with OperationCancelled and leaves the model dense.
        CancelAt cancelling(0.4);
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, runSweep(*model, experts, routers, test,
                                                              inputs, options, cancelling));
        QVERIFY(cancelling.cancelledAt >= 0.4 && cancelling.cancelledAt < 1.0);
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());
        }
        CancelAt cancellingTable(0.3);
        QVERIFY_THROWS_EXCEPTION(
            OperationCancelled,
            runComparisonTable(*model, experts, routers, test, {8}, {1, 4}, options.decoding,
                               cancellingTable, options.timing));
        QVERIFY(cancellingTable.cancelledAt >= 0.3 && cancellingTable.cancelledAt < 1.0);
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());
        }
        std::vector<std::string> again;
        translatorBleu(model, experts, routers, 0, test, options.decoding, &again);
        QCOMPARE(again, dense);
    }

    void sweepAndComparisonRoundTripThroughJson() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "random", 4);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback);
        RouterTrainingOptions routerOptions;
        routerOptions.kind = "similarity";
        auto routers = trainRouters(experts, inputs, routerOptions, feedback);
        routers.partition = "random";
        routers.contentHash = "0123456789abcdef";  // as loadRouterSet gives it
        ParallelCorpus test;
        const auto pairs = test::sixteenPairs();
        test.pairs.assign(pairs.begin(), pairs.begin() + 6);
        SweepOptions options;
        options.decoding.maxLength = 8;
        options.grid = true;
        options.encoderKs = {1, 4};
        options.decoderKs = {2, 4};
        options.timing = quickTiming();
        const auto sweep = runSweep(*model, experts, routers, test, inputs, options, feedback);

        // Through text, as the project files are read back.
        const auto again = SweepResult::fromJson(nlohmann::json::parse(sweep.toJson().dump(1)));
        QCOMPARE(again.partition, std::string("random"));
        QCOMPARE(again.router, std::string("similarity"));
        QCOMPARE(again.numExperts, 4);
        // The sweep knows its parents: the partition's and the router file's identity.
        QCOMPARE(again.partitionHash, partitionHash(experts));
        QCOMPARE(again.routerHash, std::string("0123456789abcdef"));
        QCOMPARE(again.rows.size(), sweep.rows.size());
        QCOMPARE(again.dense.seconds, sweep.dense.seconds);
        for (std::size_t i = 0; i < sweep.rows.size(); ++i) {
            QCOMPARE(again.rows[i].encoderK, sweep.rows[i].encoderK);
            QCOMPARE(again.rows[i].decoderK, sweep.rows[i].decoderK);
            QCOMPARE(again.rows[i].bleu, sweep.rows[i].bleu);
            QCOMPARE(again.rows[i].seconds, sweep.rows[i].seconds);
            QCOMPARE(again.rows[i].ffnSeconds, sweep.rows[i].ffnSeconds);
            QCOMPARE(again.rows[i].recall, sweep.rows[i].recall);
            QCOMPARE(again.rows[i].ffnError, sweep.rows[i].ffnError);
            QCOMPARE(again.rows[i].speedup, sweep.rows[i].speedup);
            QCOMPARE(again.rows[i].speedupSpread, sweep.rows[i].speedupSpread);
            QCOMPARE(again.rows[i].ffnSpeedup, sweep.rows[i].ffnSpeedup);
            QCOMPARE(again.rows[i].targetTokens, sweep.rows[i].targetTokens);
            QCOMPARE(again.rows[i].tokenSpeedup, sweep.rows[i].tokenSpeedup);
            QCOMPARE(again.rows[i].tokenSpeedupSpread, sweep.rows[i].tokenSpeedupSpread);
            QCOMPARE(again.rows[i].rounds, sweep.rows[i].rounds);
        }
        QCOMPARE(again.dense.targetTokens, sweep.dense.targetTokens);
        QCOMPARE(again.dense.rounds, sweep.dense.rounds);
        QCOMPARE(again.toCsv(), sweep.toCsv());

        // A hash router measures no FFN error (NaN, written as null); its sweep must load too
        // (it was refused as "ffn_error is not a number", so the GUI skipped it).
        std::vector<torch::Tensor> ids;
        const auto hashInputs =
            collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback, &ids);
        RouterTrainingOptions hashOptions;
        hashOptions.kind = "hash";
        auto hashRouters = trainRouters(experts, hashInputs, hashOptions, feedback, &ids);
        hashRouters.partition = "random";
        SweepOptions hashSweepOptions = options;
        hashSweepOptions.grid = false;
        hashSweepOptions.encoderKs = {2};
        hashSweepOptions.decoderKs = {};
        const auto hashSweep =
            runSweep(*model, experts, hashRouters, test, hashInputs, hashSweepOptions, feedback);
        QVERIFY(std::isnan(hashSweep.rows.at(0).ffnError));
        const auto hashAgain =
            SweepResult::fromJson(nlohmann::json::parse(hashSweep.toJson().dump(1)));
        QVERIFY(std::isnan(hashAgain.rows.at(0).ffnError));
        QCOMPARE(hashAgain.rows.at(0).bleu, hashSweep.rows.at(0).bleu);

        DecodeOptions decoding;
        decoding.maxLength = 8;
        decoding.batchSize = 3;
        const auto table = runComparisonTable(*model, experts, routers, test, {3, 6}, {1, 2},
                                              decoding, feedback, quickTiming());
        QCOMPARE(table.partition, std::string("random"));
        QCOMPARE(table.router, std::string("similarity"));
        QCOMPARE(table.numExperts, 4);
        QCOMPARE(table.decoding.batchSize, 3);
        const auto tableAgain =
            ComparisonTable::fromJson(nlohmann::json::parse(table.toJson().dump()));
        QCOMPARE(tableAgain.sentenceCounts, table.sentenceCounts);
        QCOMPARE(tableAgain.ks, table.ks);
        QCOMPARE(tableAgain.decoding.maxLength, 8);
        QCOMPARE(tableAgain.decoding.batchSize, 3);
        QCOMPARE(tableAgain.decoding.lengthPenalty, table.decoding.lengthPenalty);
        QCOMPARE(tableAgain.toText(), table.toText());
        for (std::size_t s = 0; s < table.cells.size(); ++s) {
            for (std::size_t c = 0; c < table.cells[s].size(); ++c) {
                const auto& cell = table.cells[s][c];
                const auto& cellAgain = tableAgain.cells[s][c];
                QCOMPARE(cellAgain.seconds, cell.seconds);
                QCOMPARE(cellAgain.bleu, cell.bleu);
                QCOMPARE(cellAgain.speedup, cell.speedup);
                QCOMPARE(cellAgain.speedupSpread, cell.speedupSpread);
                QCOMPARE(cellAgain.targetTokens, cell.targetTokens);
                QCOMPARE(cellAgain.tokenSpeedup, cell.tokenSpeedup);
                QCOMPARE(cellAgain.rounds, cell.rounds);
            }
        }
    }

    void formatOneLoadsAndNewerVersionsAreRefused() {
        // A sweep file as written before interleaved timing: no version, one time per setting.
        const auto v1 = nlohmann::json::parse(R"({
            "partition": "metis", "router": "mlp", "num_experts": 16,
            "dense": {"encoder_k": 0, "decoder_k": 0, "bleu": 30.0, "seconds": 2.0,
                      "ffn_seconds": 1.0, "recall": 1.0, "ffn_error": 0.0},
            "rows": [{"encoder_k": 4, "decoder_k": 4, "bleu": 28.0, "seconds": 1.6,
                      "ffn_seconds": 0.5, "recall": 0.8, "ffn_error": 0.1}]})");
        const auto sweep = SweepResult::fromJson(v1);
        QCOMPARE(sweep.rows.size(), std::size_t(1));
        QCOMPARE(sweep.rows[0].speedup, 1.25);  // the plain ratio of the two single times
        QCOMPARE(sweep.rows[0].ffnSpeedup, 2.0);
        QCOMPARE(sweep.rows[0].speedupSpread, 0.0);
        QCOMPARE(sweep.rows[0].rounds, 1);
        QCOMPARE(sweep.rows[0].targetTokens, int64_t(0));  // unknown
        QCOMPARE(sweep.rows[0].secondsPerToken(), 0.0);
        QCOMPARE(sweep.dense.speedup, 1.0);
        // Saved again, it is a current-version file that reads back the same.
        const auto json = sweep.toJson();
        QCOMPARE(json["format_version"].get<int>(), kSweepFormatVersion);
        QCOMPARE(SweepResult::fromJson(json).rows[0].speedup, 1.25);

        auto expectRefused = [](const auto& parse, nlohmann::json json) {
            json["format_version"] = kSweepFormatVersion + 1;
            try {
                parse(json);
                QFAIL("accepted a newer format");
            } catch (const std::invalid_argument& e) {
                QVERIFY2(std::string(e.what()).find("format_version " +
                                                    std::to_string(kSweepFormatVersion + 1) +
                                                    " is not supported") != std::string::npos,
                         e.what());
            }
        };
        expectRefused([](const nlohmann::json& j) { return SweepResult::fromJson(j); }, json);

        ComparisonTable table;
        table.sentenceCounts = {10};
        table.ks = {2};
        table.cells = {{{1.0, 30.0}, {0.8, 29.0}}};
        auto tableJson = table.toJson();
        QCOMPARE(tableJson["format_version"].get<int>(), kSweepFormatVersion);
        expectRefused([](const nlohmann::json& j) { return ComparisonTable::fromJson(j); },
                      tableJson);
        // Version 1: cells of seconds and BLEU only.
        tableJson.erase("format_version");
        for (auto& cell : tableJson["cells"][0]) {
            cell = {{"seconds", cell["seconds"]}, {"bleu", cell["bleu"]}};
        }
        const auto old = ComparisonTable::fromJson(tableJson);
        QCOMPARE(old.cells[0][1].speedup, 1.25);
        QCOMPARE(old.cells[0][1].rounds, 1);
        QCOMPARE(old.cells[0][1].targetTokens, int64_t(0));
    }

    void fromJsonNamesTheBadField() {
        SweepResult sweep;
        sweep.partition = "metis";
        sweep.router = "mlp";
        sweep.numExperts = 16;
        sweep.rows.push_back({1, 1, 12.5, 2.0, 0.5, 0.4, 0.3});
        sweep.rows.push_back({2, 2, 20.0, 2.5, 0.7, 0.6, 0.2});
        auto expectError = [](const auto& parse, const std::string& json, const char* needle) {
            try {
                parse(nlohmann::json::parse(json));
                QFAIL(("accepted " + json).c_str());
            } catch (const std::invalid_argument& e) {
                QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        };
        const auto parseSweep = [](const nlohmann::json& j) { return SweepResult::fromJson(j); };
        auto json = sweep.toJson();
        json["rows"][1].erase("bleu");
        expectError(parseSweep, json.dump(), "'rows[1]': missing field 'bleu'");
        json = sweep.toJson();
        json["num_experts"] = "sixteen";
        expectError(parseSweep, json.dump(), "'num_experts' must be an integer (found string)");
        json = sweep.toJson();
        json.erase("dense");
        expectError(parseSweep, json.dump(), "missing field 'dense'");
        expectError(parseSweep, "[1, 2]", "expected an object");

        ComparisonTable table;
        table.sentenceCounts = {10, 20};
        table.ks = {1};
        table.cells = {{{1.0, 30.0}, {0.5, 20.0}}, {{2.0, 31.0}, {1.0, 21.0}}};
        const auto parseTable = [](const nlohmann::json& j) {
            return ComparisonTable::fromJson(j);
        };
        QCOMPARE(ComparisonTable::fromJson(table.toJson()).cells[1][1].bleu, 21.0);
        json = table.toJson();
        json["cells"][1].erase(1);
        expectError(parseTable, json.dump(), "'cells[1]': expected an array of 2 cells");
        json = table.toJson();
        json["decoding"].erase("beam_size");
        expectError(parseTable, json.dump(), "'decoding': missing field 'beam_size'");
        json = table.toJson();
        json["cells"][0][0]["seconds"] = nullptr;
        expectError(parseTable, json.dump(), "'seconds' must be a number (found null)");
        // 2^32 + 1 was read as K = 1 (the integer wrapped).
        json = table.toJson();
        json["ks"][0] = 4294967297LL;
        expectError(parseTable, json.dump(), "'ks' must be a whole number from");

        // Out of range: a float cast to int with undefined behaviour, an integer wrapped.
        json = table.toJson();
        json["cells"][0][0]["rounds"] = 1e300;
        expectError(parseTable, json.dump(), "'rounds' must be from 1 to 1000000, not 1e+300");
        json = sweep.toJson();
        json["rows"][0]["rounds"] = -3;
        expectError(parseSweep, json.dump(), "'rounds' must be from 1");
        json = sweep.toJson();
        json["num_experts"] = 4294967312LL;
        expectError(parseSweep, json.dump(), "'num_experts' must be a whole number from");
    }
};

QTEST_APPLESS_MAIN(TestSweep)
#include "test_Sweep.moc"
