// Tests the UTF-8 helpers: strict validation, decoding, code point counting, upper case.
#include "moewb/corpus/Utf8.h"

#include <QtTest>

using namespace moewb;

class TestUtf8 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validates_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("invalidAt");  // -1: valid
        QTest::newRow("ascii") << QByteArray("plain ascii text, long enough for 8-byte steps")
                               << -1;
        QTest::newRow("umlauts") << QByteArray(
                                        "Gr\xC3\xBC\xC3\x9F"
                                        "e")
                                 << -1;
        QTest::newRow("4-byte max") << QByteArray("\xF4\x8F\xBF\xBF") << -1;
        QTest::newRow("after ascii run") << QByteArray("abcdefghij\xC0\x80") << 10;
        QTest::newRow("surrogate") << QByteArray("ab\xED\xBF\xBF") << 2;
        QTest::newRow("above max") << QByteArray("\xF4\x90\x80\x80") << 0;
        QTest::newRow("bad continuation") << QByteArray("\xE2\x28\xA1") << 0;
        QTest::newRow("truncated 4-byte") << QByteArray("x\xF0\x9F\x98") << 1;
        QTest::newRow("FE") << QByteArray("\xFE") << 0;
    }

    void validates() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, invalidAt);
        const std::string_view text(bytes.constData(), static_cast<std::size_t>(bytes.size()));
        const std::size_t at = findInvalidUtf8(text);
        QCOMPARE(at == std::string_view::npos ? -1 : static_cast<int>(at), invalidAt);
        QCOMPARE(isValidUtf8(text), invalidAt < 0);
    }

    void decodesAndCounts() {
        const std::string text = "A\xC3\x84\xE2\x82\xAC\xF0\x9D\x84\x9E";  // A Ä € 𝄞
        std::size_t pos = 0;
        QCOMPARE(decodeUtf8(text, pos), char32_t(U'A'));
        QCOMPARE(decodeUtf8(text, pos), char32_t(0xC4));
        QCOMPARE(decodeUtf8(text, pos), char32_t(0x20AC));
        QCOMPARE(decodeUtf8(text, pos), char32_t(0x1D11E));
        QCOMPARE(pos, text.size());
        QCOMPARE(countCodePoints(text), std::size_t(4));
    }

    void upperCase() {
        for (const char32_t c :
             {U'A', U'Z', U'Ä', U'Ö', U'Ü', U'É', U'Ł', U'Ž', U'ẞ', U'Ω', U'Я'}) {
            QVERIFY2(isUpperCaseLetter(c), qPrintable(QString::number(c, 16)));
        }
        for (const char32_t c :
             {U'a', U'z', U'ä', U'ö', U'ü', U'ß', U'×', U'ł', U'ω', U'я', U'1', U'„', U' '}) {
            QVERIFY2(!isUpperCaseLetter(c), qPrintable(QString::number(c, 16)));
        }
    }
};

QTEST_APPLESS_MAIN(TestUtf8)
#include "test_Utf8.moc"
