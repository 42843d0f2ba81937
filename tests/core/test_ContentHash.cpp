#include "moewb/util/ContentHash.h"

#include <QtTest>

using namespace moewb;

class TestContentHash : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The published FNV-1a 64-bit test vectors: the hash is stable across builds and machines.
    void matchesFnv1a() {
        QCOMPARE(ContentHash().hex(), std::string("cbf29ce484222325"));
        QCOMPARE(ContentHash().addBytes("a", 1).hex(), std::string("af63dc4c8601ec8c"));
        QCOMPARE(ContentHash().addBytes("foobar", 6).value(), uint64_t(0x85944171f73967e8ull));
    }

    // Values are framed: ("ab", "c") and ("a", "bc") differ, and so do 1 and 256.
    void sequencesDoNotRunIntoEachOther() {
        QVERIFY(ContentHash().add("ab").add("c").value() !=
                ContentHash().add("a").add("bc").value());
        QVERIFY(ContentHash().add(int64_t(1)).value() != ContentHash().add(int64_t(256)).value());
        QCOMPARE(ContentHash().add(int64_t(7)).add("x").hex(),
                 ContentHash().add(int64_t(7)).add("x").hex());
        QCOMPARE(ContentHash().add("x").hex().size(), std::size_t(16));
    }
};

QTEST_APPLESS_MAIN(TestContentHash)
#include "test_ContentHash.moc"
