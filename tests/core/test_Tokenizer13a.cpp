#include "moewb/text/Tokenizer13a.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <fstream>

using namespace moewb;

namespace {

const std::string kFixtureDir = MOEWB_SHARED_DIR "/fixtures/bleu/";

bool haveFixtures() {
    return std::ifstream(kFixtureDir + "expected.json").good();
}

nlohmann::json loadExpected() {
    std::ifstream in(kFixtureDir + "expected.json");
    return nlohmann::json::parse(in);
}

}  // namespace

class TestTokenizer13a : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Golden outputs of sacreBLEU's own tokenizer.
    void matchesSacreBleuFixtures() {
        if (!haveFixtures()) {
            QSKIP(
                "../shared/fixtures/bleu not found: golden sacreBLEU values are only in CI's "
                "shared folder");
        }
        const nlohmann::json cases = loadExpected().at("tokenize_13a");
        QVERIFY(!cases.empty());
        std::string mismatches;
        int matched = 0;
        for (const auto& c : cases) {
            const std::string text = c.at("text").get<std::string>();
            const std::string expected = c.at("tokenized").get<std::string>();
            const std::string actual = tokenize13a(text);
            if (actual == expected) {
                ++matched;
            } else {
                mismatches += "\n  '" + text + "' -> '" + actual + "', expected '" + expected + "'";
            }
        }
        qInfo("%d/%d tokenize_13a cases match", matched, static_cast<int>(cases.size()));
        QVERIFY2(mismatches.empty(), mismatches.c_str());
    }

    // Expected values from Python's re.sub() with sacreBLEU's rules; they pin down the
    // non-overlapping, left-to-right matching of rules 2 and 3.
    void splitsPunctuationLikePython() {
        QCOMPARE(tokenize13a("Hello, world!"), std::string("Hello , world !"));
        QCOMPARE(tokenize13a("5.,x"), std::string("5 . , x"));
        QCOMPARE(tokenize13a("a.."), std::string("a . ."));
        QCOMPARE(tokenize13a("1.000,50-2"), std::string("1.000,50 - 2"));
        QCOMPARE(tokenize13a("1990s-2000s"), std::string("1990s-2000s"));
        QCOMPARE(tokenize13a("(a.b,c)"), std::string("( a . b , c )"));
        QCOMPARE(tokenize13a("x.\xC3\xBC,\xE2\x82\xAC.5"),
                 std::string("x . \xC3\xBC , \xE2\x82\xAC . 5"));  // x.ü,€.5
        QCOMPARE(tokenize13a(""), std::string());
    }

    void unescapesEntitiesInSequence() {
        // &amp; becomes '&' before &lt; is replaced, exactly as sacreBLEU's str.replace chain.
        QCOMPARE(tokenize13a("&amp;lt;x&gt;"), std::string("< x >"));
        QCOMPARE(tokenize13a("A&amp;B &quot;x&quot;"), std::string("A & B \" x \""));
    }

    void dropsSkippedAndJoinsLineBreaks() {
        QCOMPARE(tokenize13a("hyphen-\nated <skipped>line"), std::string("hyphenated line"));
        QCOMPARE(tokenize13a("two\nlines"), std::string("two lines"));
    }

    void treatsUnicodeWhitespaceLikePython() {
        // U+00A0, U+3000 and \x1c separate; U+200B (zero-width space) does not.
        QCOMPARE(tokenize13a("a\xC2\xA0"
                             "b\xE3\x80\x80"
                             "c\xE2\x80\x8B"
                             "d\x1C"
                             "e"),
                 std::string("a b c\xE2\x80\x8B"
                             "d e"));
        QCOMPARE(std::string(pythonRstrip("x \xC2\xA0\xE2\x80\x89\t\xC2\x85")), std::string("x"));
        QCOMPARE(std::string(pythonRstrip("x\xE2\x80\x8B")), std::string("x\xE2\x80\x8B"));
        const auto tokens = pythonSplit("\xE2\x80\xA8 one\xE2\x81\x9Ftwo\xE1\x9A\x80three ");
        QCOMPARE(tokens.size(), std::size_t{3});
        QCOMPARE(std::string(tokens[0]), std::string("one"));
        QCOMPARE(std::string(tokens[2]), std::string("three"));
    }
};

QTEST_APPLESS_MAIN(TestTokenizer13a)
#include "test_Tokenizer13a.moc"
