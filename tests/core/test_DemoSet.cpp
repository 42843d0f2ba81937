#include "moewb/corpus/DemoSet.h"

#include "moewb/util/AtomicFile.h"

#include <QtTest>

using namespace moewb;

class TestDemoSet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesAndEveryLineHasAReference() {
        const auto demo = loadDemoSet();
        QCOMPARE(demo.pairs.size(), std::size_t(60));
        // Every physical line is a pair: nothing was skipped.
        const std::string text = readFileBytes(demoSetPath());
        QCOMPARE(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')),
                 demo.pairs.size());
        for (const auto& p : demo.pairs) {
            QVERIFY2(!p.source.empty() && !p.target.empty(), p.source.c_str());
            QVERIFY(p.target.find('\t') == std::string::npos);
        }
        // Half scene descriptions, half everyday sentences (questions among them).
        int questions = 0;
        for (std::size_t i = 30; i < demo.pairs.size(); ++i) {
            questions += demo.pairs[i].target.back() == '?';
        }
        QVERIFY(questions >= 5);
    }
};

QTEST_APPLESS_MAIN(TestDemoSet)
#include "test_DemoSet.moc"
