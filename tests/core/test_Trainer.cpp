#include "NmtTestSupport.h"

#include "moewb/nmt/Trainer.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace moewb;

class TestTrainer : public QObject {
    Q_OBJECT
private slots:
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

    void checkpointResumesWhereItStopped() {
        QTemporaryDir dir;
        const std::string ckpt = dir.filePath("ckpt").toStdString();
        const auto first = test::trainTinyModel(3, ckpt);
        QCOMPARE(first.epochs.size(), std::size_t(3));
        const auto resumed = test::trainTinyModel(5, ckpt);
        QCOMPARE(resumed.epochs.size(), std::size_t(5));
        QCOMPARE(resumed.epochs[0].trainLoss, first.epochs[0].trainLoss);
        QCOMPARE(resumed.epochs[3].epoch, 4);
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

    void cancelStopsWithinASecondAndKeepsCheckpoint() {
        QTemporaryDir dir;
        const std::string ckpt = dir.filePath("ckpt").toStdString();
        test::trainTinyModel(1, ckpt);
        TrainingData data;
        data.sentences = test::sixteenPairs();
        data.valid = test::sixteenPairs();
        TrainingOptions options;
        options.model = test::tinyConfig(120);
        options.tokenizer.vocabSize = 120;
        options.maxEpochs = 100000;
        options.checkpointDir = ckpt;
        options.resume = true;
        Feedback feedback;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            feedback.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, trainModel(data, options, feedback));
        canceller.join();
        QVERIFY(timer.elapsed() < 1300);
        QVERIFY(NmtModel::load(dir.filePath("ckpt/last.moewb").toStdString()) != nullptr);
    }

    void refusesEmptyData() {
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 trainModel(TrainingData{}, TrainingOptions{}, feedback));
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_Trainer.moc"
