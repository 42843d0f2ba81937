#include "moewb/text/SentencePieceModel.h"

#include <QtTest>

using namespace moewb;

namespace {
std::vector<std::string> tinyCorpus() {
    std::vector<std::string> lines;
    const char* de[] = {"Ein Mann fährt Fahrrad.", "Eine Frau liest ein Buch.",
                        "Zwei Hunde spielen im Park.", "Das Wetter ist heute schön.",
                        "Kannst du mir bitte helfen?"};
    const char* en[] = {"A man rides a bicycle.", "A woman reads a book.",
                        "Two dogs play in the park.", "The weather is nice today.",
                        "Can you help me, please?"};
    for (int r = 0; r < 40; ++r) {
        for (int i = 0; i < 5; ++i) {
            lines.push_back(de[i]);
            lines.push_back(en[i]);
        }
    }
    return lines;
}
}  // namespace

class TestSentencePieceModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainEncodeDecodeRoundTrip() {
        Feedback feedback;
        SentencePieceTrainOptions options;
        options.vocabSize = 60;
        const auto model = SentencePieceModel::train(tinyCorpus(), options, feedback);
        QVERIFY(model.vocabSize() <= 60);
        QCOMPARE(model.piece(SentencePieceModel::kUnkId), std::string("<unk>"));
        QCOMPARE(model.piece(SentencePieceModel::kEosId), std::string("</s>"));
        const std::string text = "Zwei Hunde spielen im Park.";
        const auto ids = model.encode(text);
        QVERIFY(!ids.empty());
        QCOMPARE(model.decode(ids), text);
    }
    void serialiseAndReload() {
        Feedback feedback;
        SentencePieceTrainOptions options;
        options.vocabSize = 50;
        options.modelType = "bpe";
        const auto model = SentencePieceModel::train(tinyCorpus(), options, feedback);
        const auto copy = SentencePieceModel::fromBytes(model.serialize());
        QCOMPARE(copy.encode("Eine Frau liest."), model.encode("Eine Frau liest."));
    }
    void badInputsGiveClearErrors() {
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            SentencePieceModel::train({}, SentencePieceTrainOptions{}, feedback));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, SentencePieceModel::fromBytes("not a model"));
    }
};

QTEST_APPLESS_MAIN(TestSentencePieceModel)
#include "test_SentencePieceModel.moc"
