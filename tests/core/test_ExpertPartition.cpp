#include "moewb/moe/ExpertPartition.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace moewb;

namespace {

// The message of the std::invalid_argument `f` throws, or "" if it throws nothing.
template <typename F>
std::string invalidMessage(F f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// 8 neurons in 4 experts of 2.
ExpertPartition sample() {
    ExpertPartition p;
    p.method = "test";
    p.numExperts = 4;
    p.experts = {{0, 5}, {1, 7}, {2, 3}, {4, 6}};
    return p;
}

}  // namespace

class TestExpertPartition : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The accepted expert counts are exactly the powers of two >= 2 that divide d_ff
    // (docs/algorithms.md, "Partitioners"), listed here by hand for each d_ff.
    void acceptsPowersOfTwoDividingDff() {
        const std::vector<std::pair<int, std::vector<int>>> cases = {
            {1024, {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}},
            {96, {2, 4, 8, 16, 32}},  // 96 = 2^5 · 3
            {1000, {2, 4, 8}},        // 1000 = 2^3 · 125
            {2, {2}},
            {6, {2}},
        };
        for (const auto& [dFf, expected] : cases) {
            std::vector<int> accepted;
            for (int n = -4; n <= 2 * dFf; ++n) {
                if (invalidMessage([&] { validatePartitionOptions(dFf, n); }).empty()) {
                    accepted.push_back(n);
                }
            }
            QVERIFY2(accepted == expected, qPrintable(QString("d_ff %1").arg(dFf)));
        }
    }
    void rejectsBadExpertCountsSayingWhatToChoose() {
        const std::string notPower = invalidMessage([] { validatePartitionOptions(1024, 12); });
        QVERIFY2(contains(notPower, "power of two"), notPower.c_str());
        QVERIFY2(contains(notPower, "choose one of 2, 4, 8, 16, 32,"), notPower.c_str());
        QVERIFY2(contains(notPower, "1024"), notPower.c_str());
        QVERIFY(!invalidMessage([] { validatePartitionOptions(1024, 1); }).empty());
        QVERIFY(!invalidMessage([] { validatePartitionOptions(1024, 0); }).empty());
        QVERIFY(!invalidMessage([] { validatePartitionOptions(1024, -16); }).empty());
        QVERIFY(!invalidMessage([] { validatePartitionOptions(1024, 2048); }).empty());
        const std::string notDividing = invalidMessage([] { validatePartitionOptions(1000, 16); });
        QVERIFY2(contains(notDividing, "choose one of 2, 4, 8"), notDividing.c_str());
        QVERIFY2(!contains(notDividing, "16,"), notDividing.c_str());
        const std::string odd = invalidMessage([] { validatePartitionOptions(1001, 2); });
        QVERIFY2(contains(odd, "odd"), odd.c_str());
        QVERIFY(!invalidMessage([] { validatePartitionOptions(0, 2); }).empty());
    }
    // Valid partitions, including the edge cases (one neuron per expert, shared neurons, experts
    // listed in any order), are accepted; one wrong neuron in each is refused.
    void validPartitionPasses() {
        QCOMPARE(invalidMessage([] { sample().validate(8); }), std::string());
        ExpertPartition withShared = sample();
        withShared.experts = {{0}, {1}, {2}, {3}};
        withShared.shared = {4, 5, 6, 7};
        QCOMPARE(invalidMessage([&] { withShared.validate(8); }), std::string());
        ExpertPartition single;
        single.method = "test";
        single.numExperts = 8;
        single.experts = {{7}, {6}, {5}, {4}, {3}, {2}, {1}, {0}};
        QCOMPARE(invalidMessage([&] { single.validate(8); }), std::string());
        QCOMPARE(single.expertSize(), 1);

        // The same partitions with neuron 7 replaced by a second 6 are not valid.
        ExpertPartition broken = sample();
        broken.experts[1] = {1, 6};
        QVERIFY(!invalidMessage([&] { broken.validate(8); }).empty());
        withShared.shared = {4, 5, 6, 6};
        QVERIFY(!invalidMessage([&] { withShared.validate(8); }).empty());
        single.experts[0] = {6};
        QVERIFY(!invalidMessage([&] { single.validate(8); }).empty());
    }
    void rejectsDuplicateNeuron() {
        ExpertPartition p = sample();
        p.experts[2] = {2, 5};  // 5 also in expert 0; 3 missing
        const std::string message = invalidMessage([&] { p.validate(8); });
        QVERIFY2(contains(message, "neuron 5"), message.c_str());
        QVERIFY2(contains(message, "expert 0") && contains(message, "expert 2"), message.c_str());
    }
    void rejectsNeuronBothSharedAndInExpert() {
        ExpertPartition p = sample();
        p.shared = {7};
        const std::string message = invalidMessage([&] { p.validate(8); });
        QVERIFY2(contains(message, "neuron 7") && contains(message, "shared"), message.c_str());
    }
    void rejectsMissingAndOutOfRangeNeurons() {
        ExpertPartition p = sample();
        const std::string missing = invalidMessage([&] { p.validate(9); });
        QVERIFY2(contains(missing, "neuron 8 is in no expert"), missing.c_str());
        const std::string outside = invalidMessage([&] { p.validate(7); });
        QVERIFY2(contains(outside, "neuron 7") && contains(outside, "outside"), outside.c_str());
        p.experts[0] = {-1, 5};
        QVERIFY(contains(invalidMessage([&] { p.validate(8); }), "neuron -1"));
    }
    void rejectsUnequalSizes() {
        ExpertPartition p = sample();
        p.experts[1] = {1};
        p.experts[3] = {4, 6, 7};
        const std::string message = invalidMessage([&] { p.validate(8); });
        QVERIFY2(contains(message, "same size"), message.c_str());
        QVERIFY2(contains(message, "expert 1 has 1"), message.c_str());
    }
    void rejectsWrongExpertCountAndEmptyExperts() {
        ExpertPartition p = sample();
        p.numExperts = 8;
        QVERIFY(contains(invalidMessage([&] { p.validate(8); }), "declares 8 experts"));
        ExpertPartition empty;
        empty.numExperts = 2;
        empty.experts = {{}, {}};
        QVERIFY(contains(invalidMessage([&] { empty.validate(1); }), "empty"));
        ExpertPartition none;
        QVERIFY(!invalidMessage([&] { none.validate(8); }).empty());
    }
    void permutationListsExpertsInOrderThenShared() {
        const ExpertPartition p = sample();
        QCOMPARE(p.permutation(), (std::vector<int>{0, 5, 1, 7, 2, 3, 4, 6}));
        QCOMPARE(p.neuronCount(), 8);
        QCOMPARE(p.expertSize(), 2);
        ExpertPartition withShared = sample();
        withShared.experts = {{3}, {0}, {6}, {1}};
        withShared.shared = {2, 4, 5, 7};
        QCOMPARE(withShared.permutation(), (std::vector<int>{3, 0, 6, 1, 2, 4, 5, 7}));
    }
    void expertOfMapsNeuronsAndMarksShared() {
        QCOMPARE(sample().expertOf(), (std::vector<int>{0, 1, 2, 2, 3, 0, 3, 1}));
        ExpertPartition withShared = sample();
        withShared.experts = {{3}, {0}, {6}, {1}};
        withShared.shared = {2, 4, 5, 7};
        QCOMPARE(withShared.expertOf(), (std::vector<int>{1, 3, -1, 0, -1, -1, 2, -1}));
        ExpertPartition broken = sample();
        broken.experts[0] = {0, 1};
        QVERIFY(!invalidMessage([&] { broken.expertOf(); }).empty());
    }
    void jsonRoundTrip() {
        ExpertPartition p = sample();
        p.method = "metis";
        p.experts = {{0}, {1}, {2}, {3}};
        p.shared = {4, 5, 6, 7};
        p.quality["intra_share"] = 0.625;
        p.quality["undefined"] = std::numeric_limits<double>::quiet_NaN();
        const nlohmann::json json = nlohmann::json::parse(p.toJson().dump());
        QCOMPARE(json["expert_size"].get<int>(), 1);
        QVERIFY(json["quality"]["undefined"].is_null());
        const ExpertPartition back = ExpertPartition::fromJson(json);
        QCOMPARE(back.method, std::string("metis"));
        QCOMPARE(back.numExperts, 4);
        QCOMPARE(back.experts, p.experts);
        QCOMPARE(back.shared, p.shared);
        QCOMPARE(back.quality.at("intra_share"), 0.625);
        QVERIFY(std::isnan(back.quality.at("undefined")));
        back.validate(8);
    }
    void jsonWithoutOptionalFields() {
        const auto json = nlohmann::json::parse(
            R"({"method": "random", "num_experts": 2, "experts": [[1], [0]]})");
        const ExpertPartition p = ExpertPartition::fromJson(json);
        QVERIFY(p.shared.empty());
        QVERIFY(p.quality.empty());
        QCOMPARE(p.expertOf(), (std::vector<int>{1, 0}));
    }
    void jsonErrorsNameTheField() {
        const std::string missing = invalidMessage([] {
            ExpertPartition::fromJson(
                nlohmann::json::parse(R"({"method": "x", "num_experts": 2})"));
        });
        QVERIFY2(contains(missing, "'experts'"), missing.c_str());
        const std::string mistyped = invalidMessage([] {
            ExpertPartition::fromJson(
                nlohmann::json::parse(R"({"method": "x", "num_experts": "two", "experts": []})"));
        });
        QVERIFY2(contains(mistyped, "'num_experts'"), mistyped.c_str());
        QVERIFY(
            !invalidMessage([] { ExpertPartition::fromJson(nlohmann::json::array()); }).empty());
    }
    // Floats where ids belong were converted with undefined behaviour (nlohmann's get<int>()).
    void jsonRefusesNumbersThatAreNotNeuronIds() {
        for (const char* json :
             {R"({"method": "x", "num_experts": 1e300, "experts": [[0]]})",
              R"({"method": "x", "num_experts": 4294967297, "experts": [[0]]})",
              R"({"method": "x", "num_experts": 1, "experts": [[0, 1e300]]})",
              R"({"method": "x", "num_experts": 1, "experts": [[0]], "shared": [-1e300]})",
              R"({"method": "x", "num_experts": 1, "experts": {"a": [0]}})"}) {
            const std::string message =
                invalidMessage([&] { ExpertPartition::fromJson(nlohmann::json::parse(json)); });
            QVERIFY2(contains(message, "expert partition JSON"), json);
        }
    }
};

QTEST_APPLESS_MAIN(TestExpertPartition)
#include "test_ExpertPartition.moc"
