// The shipped default model (resources/models/default.moewb): it loads, is stored in float16
// within the 16 MB budget, and translates the demo set's first sentences sensibly.
#include "moewb/corpus/DemoSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"

#include <QtTest>

using namespace moewb;

class TestDefaultModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void loadsAndTranslates() {
        const std::string path = NmtModel::defaultModelPath();
        QVERIFY(readFileBytes(path).size() <= 16u * 1024 * 1024);
        auto model = NmtModel::load(path);
        QCOMPARE(model->config().dModel, 256);
        QCOMPARE(model->config().dFf, 1024);
        QCOMPARE(model->config().encoderLayers, 3);
        QCOMPARE(model->config().decoderLayers, 3);
        const auto demo = loadDemoSet();
        std::vector<std::string> sources, references;
        for (std::size_t i = 0; i < 10; ++i) {
            sources.push_back(demo.pairs[i].source);
            references.push_back(demo.pairs[i].target);
        }
        Feedback feedback;
        const auto out = Translator(model).translate(sources, DecodeOptions{}, feedback);
        const double bleu = corpusBleu(out.translations, references).score;
        qInfo("first 10 demo sentences: BLEU %.2f; '%s' -> '%s'", bleu, sources[0].c_str(),
              out.translations[0].c_str());
        // Scene descriptions are what the model knows best; a broken file scores near 0.
        QVERIFY(bleu > 20.0);
    }
};

QTEST_APPLESS_MAIN(TestDefaultModel)
#include "test_DefaultModel.moc"
