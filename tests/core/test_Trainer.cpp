#include "NmtTestSupport.h"

#include "moewb/nmt/Trainer.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

using namespace moewb;

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void tinyModelOverfitsSixteenPairsToBleu100() {
        const auto result = test::trainTinyModel();
        QVERIFY(!result.epochs.empty());
        QVERIFY(result.epochs.back().trainLoss < result.epochs.front().trainLoss);
        Translator translator(result.model);
        std::vector<std::string> sources, references;
        for (const auto& p : test::sixteenPairs()) {
            sources.push_back(p.source);
            references.push_back(p.target);
        }
        Feedback feedback;
        const auto out = translator.translate(sources, DecodeOptions{}, feedback);
        const double bleu = corpusBleu(out.translations, references).score;
        qInfo("after %zu epochs: train loss %.3f, BLEU %.2f", result.epochs.size(),
              result.epochs.back().trainLoss, bleu);
        QCOMPARE(bleu, 100.0);
    }

    // A run stopped after 3 epochs and resumed to 5 ends with exactly the weights of a run that
    // went to 5 without stopping: weights, Adam moments (which shape every later update) and the
    // per-epoch seeds all come back. (Comparing epoch 1's loss alone could not fail: it does not
    // depend on the resume.)
    void checkpointResumesWhereItStopped() {
        QTemporaryDir dir;
        const std::string resumedDir = dir.filePath("resumed").toStdString();
        const std::string straightDir = dir.filePath("straight").toStdString();
        const auto first = test::trainTinyModel(3, resumedDir);
        QCOMPARE(first.epochs.size(), std::size_t(3));
        const auto resumed = test::trainTinyModel(5, resumedDir);
        const auto straight = test::trainTinyModel(5, straightDir);
        QCOMPARE(resumed.epochs.size(), std::size_t(5));
        QCOMPARE(resumed.epochs[3].epoch, 4);
        for (std::size_t e = 0; e < 5; ++e) {
            QCOMPARE(resumed.epochs[e].trainLoss, straight.epochs[e].trainLoss);
            QCOMPARE(resumed.epochs[e].validLoss, straight.epochs[e].validLoss);
        }
        const auto a = NmtModel::load(resumedDir + "/last.moewb");
        const auto b = NmtModel::load(straightDir + "/last.moewb");
        const auto pa = a->transformer()->named_parameters();
        const auto pb = b->transformer()->named_parameters();
        QCOMPARE(pa.size(), pb.size());
        for (const auto& item : pa) {
            QVERIFY2(torch::equal(item.value(), pb[item.key()]), item.key().c_str());
        }
    }

    // A damaged state.json is one error naming the file (nlohmann's own message names none),
    // and the run also reports where its time went.
    void aDamagedCheckpointStateNamesItsFile() {
        QTemporaryDir dir;
        const std::string ckpt = dir.filePath("ckpt").toStdString();
        const auto first = test::trainTinyModel(1, ckpt);
        QVERIFY(first.trainedTokens > 0);
        QVERIFY(first.phases.seconds("forward + loss") > 0);
        QVERIFY(first.phases.seconds("backward") > 0);
        QVERIFY(first.phases.seconds("validation") > 0);
        QVERIFY(first.phases.seconds("checkpoints") > 0);
        const std::string state = ckpt + "/state.json";
        auto document = nlohmann::json::parse(readFileBytes(state));
        document["step"] = 1.5e300;
        writeFileAtomic(state, document.dump());
        try {
            test::trainTinyModel(2, ckpt);
            QFAIL("a state with a step of 1.5e300 was resumed");
        } catch (const std::runtime_error& error) {
            const std::string message = error.what();
            QVERIFY2(message.find(state) == 0 && message.find("step") != std::string::npos,
                     message.c_str());
        }
    }

    // Cancel is checked at every training step (docs/architecture.md, "Threads"): cancelled
    // while it reports a step, training takes no further step and ends in OperationCancelled,
    // and the checkpoint of the last finished epoch stays as it was. Event-driven: the cancel
    // comes from inside the run, not after a wall-clock delay.
    void cancelStopsAtTheNextStepAndKeepsCheckpoint() {
        QTemporaryDir dir;
        const std::string ckpt = dir.filePath("ckpt").toStdString();
        const auto first = test::trainTinyModel(1, ckpt);
        // An epoch has several steps, so a step taken after the cancel would show.
        QVERIFY(first.epochs.at(0).steps >= 2);
        const std::string checkpointState = readFileBytes(ckpt + "/state.json");

        // Counts the step reports ("epoch E step S loss …") and cancels at the first one.
        class CancelAtFirstStep : public Feedback {
        public:
            int stepsReported = 0;

        protected:
            void onProgress(double, const std::string& message) override {
                if (message.rfind("epoch ", 0) == 0 &&
                    message.find(" step ") != std::string::npos) {
                    if (++stepsReported == 1) {
                        cancel();
                    }
                }
            }
        };
        TrainingData data;
        data.sentences = test::sixteenPairs();
        data.valid = test::sixteenPairs();
        TrainingOptions options;  // as trainTinyModel's, for as many epochs as it takes
        options.model = test::tinyConfig(120);
        options.tokenizer.vocabSize = 120;
        options.maxBatchTokens = 240;
        options.maxSentenceTokens = 40;
        options.learningRate = 5e-3;
        options.labelSmoothing = 0.0;
        options.patience = 1000;
        options.maxEpochs = 100000;
        options.checkpointDir = ckpt;
        options.resume = true;
        CancelAtFirstStep feedback;
        feedback.setThrottle(std::chrono::milliseconds(0));  // every report reaches onProgress
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, trainModel(data, options, feedback));
        QCOMPARE(feedback.stepsReported, 1);
        // Epoch 2 never finished: the checkpoint is the first run's, untouched and loadable.
        QCOMPARE(readFileBytes(ckpt + "/state.json"), checkpointState);
        QVERIFY(NmtModel::load(ckpt + "/last.moewb") != nullptr);
    }

    void refusesEmptyData() {
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 trainModel(TrainingData{}, TrainingOptions{}, feedback));
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_Trainer.moc"
