// Tests TextLineReader: plain and gzip input, line endings, and every invalid-line error.
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TextLineReader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <fstream>
#include <string>
#include <vector>

using moewb::CorpusError;
using moewb::TextLineReader;

namespace {

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

void writeGzip(const std::string& path, const std::string& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    QVERIFY(file != nullptr);
    QCOMPARE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
             static_cast<int>(bytes.size()));
    gzclose(file);
}

std::vector<std::string> readAll(const std::string& path) {
    TextLineReader reader(path);
    std::vector<std::string> lines;
    std::string line;
    while (reader.readLine(line)) {
        lines.push_back(line);
    }
    return lines;
}

// Reads `path` to the end and returns the CorpusError it throws (or an empty one).
struct Caught {
    bool thrown = false;
    std::string file;
    std::size_t line = 0;
    QString message;
};

Caught readExpectingError(const std::string& path) {
    Caught caught;
    try {
        readAll(path);
    } catch (const CorpusError& e) {
        caught = {true, e.file(), e.line(), QString::fromStdString(e.what())};
    }
    return caught;
}

}  // namespace

class TestTextLineReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void readsLinesAndStripsLineEndings() {
        const std::string path = file("plain.txt");
        writeBytes(path, "erste\nzweite\r\n\ndritte ohne Zeilenende");
        TextLineReader reader(path);
        std::string line;
        const std::vector<std::string> expected = {"erste", "zweite", "", "dritte ohne Zeilenende"};
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QVERIFY(reader.readLine(line));
            QCOMPARE(line, expected[i]);
            QCOMPARE(reader.lineNumber(), i + 1);
        }
        QVERIFY(!reader.readLine(line));
        QVERIFY(!reader.readLine(line));
        QCOMPARE(reader.progress(), 1.0);
    }

    void trailingNewlineMakesNoExtraLine() {
        const std::string path = file("trailing.txt");
        writeBytes(path, "a\nb\n");
        QCOMPARE(readAll(path), (std::vector<std::string>{"a", "b"}));
    }

    void emptyFileHasNoLines() {
        const std::string path = file("empty.txt");
        writeBytes(path, "");
        QVERIFY(readAll(path).empty());
    }

    void dropsByteOrderMark() {
        const std::string path = file("bom.txt");
        writeBytes(path,
                   "\xEF\xBB\xBFGr\xC3\xBC\xC3\x9F"
                   "e\n\xEF\xBB\xBFzwei\n");
        const auto lines = readAll(path);
        QCOMPARE(lines.at(0), std::string("Grüße"));
        QCOMPARE(lines.at(1), std::string("\xEF\xBB\xBFzwei"));  // only at the start of the file
    }

    void readsGzip() {
        std::string text;
        for (int i = 0; i < 50000; ++i) {  // large enough to need several buffer fills
            text += "Zeile " + std::to_string(i) + " mit Umlauten äöü\n";
        }
        const std::string path = file("lines.txt.gz");
        writeGzip(path, text);
        const auto lines = readAll(path);
        QCOMPARE(lines.size(), std::size_t(50000));
        QCOMPARE(lines.front(), std::string("Zeile 0 mit Umlauten äöü"));
        QCOMPARE(lines.back(), std::string("Zeile 49999 mit Umlauten äöü"));
    }

    void progressGrowsToOne() {
        std::string text;
        for (int i = 0; i < 100000; ++i) {
            text += "eine Zeile Text\n";
        }
        const std::string path = file("progress.txt");
        writeBytes(path, text);
        TextLineReader reader(path);
        std::string line;
        double last = 0.0;
        while (reader.readLine(line)) {
            QVERIFY(reader.progress() >= last);
            QVERIFY(reader.progress() < 1.0);
            last = reader.progress();
        }
        QVERIFY(last > 0.9);
        QCOMPARE(reader.progress(), 1.0);
    }

    void missingFileIsAnError() {
        const std::string path = file("does-not-exist.txt");
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QCOMPARE(caught.file, path);
        QCOMPARE(caught.line, std::size_t(0));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(path) + ": file not found"),
                 qPrintable(caught.message));
    }

    void folderIsAnError() {
        const Caught caught = readExpectingError(m_dir.path().toStdString());
        QVERIFY(caught.thrown);
        QVERIFY2(caught.message.contains("folder"), qPrintable(caught.message));
    }

    void invalidUtf8IsAnError_data() {
        QTest::addColumn<QByteArray>("bad");
        QTest::newRow("lone continuation byte") << QByteArray("a\x80z");
        QTest::newRow("overlong 2-byte slash") << QByteArray("\xC0\xAF");
        QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x80\xAF");
        QTest::newRow("overlong 4-byte") << QByteArray("\xF0\x80\x80\xAF");
        QTest::newRow("surrogate U+D800") << QByteArray("\xED\xA0\x80");
        QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80");
        QTest::newRow("F5 lead byte") << QByteArray("\xF5\x80\x80\x80");
        QTest::newRow("truncated at line end") << QByteArray("Euro \xE2\x82");
        QTest::newRow("Latin-1 umlaut") << QByteArray(
            "Gr\xFC\xDF"
            "e");
    }

    void invalidUtf8IsAnError() {
        QFETCH(QByteArray, bad);
        const std::string path = file("invalid.txt");
        writeBytes(path, "gute Zeile\n" + bad.toStdString() + "\nnoch eine\n");
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QCOMPARE(caught.file, path);
        QCOMPARE(caught.line, std::size_t(2));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(path) + ":2: invalid UTF-8"),
                 qPrintable(caught.message));
        QVERIFY2(caught.message.contains("iconv"), qPrintable(caught.message));
    }

    void invalidUtf8InGzipNamesTheLine() {
        const std::string path = file("invalid.txt.gz");
        writeGzip(path, "eins\nzwei\ndrei \xFF\n");
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QCOMPARE(caught.line, std::size_t(3));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(path) + ":3:"),
                 qPrintable(caught.message));
    }

    void boundaryCodePointsAreValid() {
        const std::string path = file("valid.txt");
        // U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF, €, 𝄞
        writeBytes(path,
                   "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
                   "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF \xE2\x82\xAC \xF0\x9D\x84\x9E\n");
        QCOMPARE(readAll(path).size(), std::size_t(1));
    }

    void lineOfMaximumLengthIsAccepted() {
        const std::string path = file("max.txt");
        const std::string longest(TextLineReader::kMaxLineBytes, 'x');
        writeBytes(path, longest + "\r\n" + longest + "\n");
        const auto lines = readAll(path);
        QCOMPARE(lines.size(), std::size_t(2));
        QCOMPARE(lines.at(0), longest);
    }

    void overlongLineIsAnError() {
        const std::string path = file("overlong.txt");
        const std::string tooLong(TextLineReader::kMaxLineBytes + 1, 'x');
        writeBytes(path, "kurz\nauch kurz\n" + tooLong + "\nkurz\n");
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QCOMPARE(caught.line, std::size_t(3));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(path) + ":3: line is longer"),
                 qPrintable(caught.message));
    }

    void hugeLineWithoutNewlineIsAnError() {
        const std::string path = file("huge.txt");
        writeBytes(path, std::string(3 * 1024 * 1024, 'y'));  // longer than the read buffer
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QCOMPARE(caught.line, std::size_t(1));
    }

    void truncatedGzipIsAnError() {
        std::string text;
        for (int i = 0; i < 20000; ++i) {
            text += "Zeile " + std::to_string(i * 7919) + "\n";
        }
        const std::string whole = file("whole.gz");
        writeGzip(whole, text);
        std::ifstream in(whole, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        const std::string path = file("truncated.txt.gz");
        writeBytes(path, bytes.substr(0, bytes.size() / 2));
        const Caught caught = readExpectingError(path);
        QVERIFY(caught.thrown);
        QVERIFY2(caught.message.startsWith(QString::fromStdString(path) + ": read error"),
                 qPrintable(caught.message));
    }

private:
    std::string file(const char* name) const { return m_dir.filePath(name).toStdString(); }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestTextLineReader)
#include "test_TextLineReader.moc"
