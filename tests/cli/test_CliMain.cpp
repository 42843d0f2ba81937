// `moewb` itself: the command list, --help of every command, and the one-line errors of a
// command line that names no known command (it used to print the whole usage, 17 lines), a
// stray argument (silently ignored) or no folder where one is needed (the whole usage, on
// stdout).
#include "cli/CliTestSupport.h"

#include <QRegularExpression>
#include <QtTest>

using moewb::test::runClis;

namespace {

// The 15 subcommands, in the order `moewb --help` lists them.
const QStringList kCommands = {"corpus",   "bleu",    "train",          "translate", "eval",
                               "info",     "convert", "profile",        "partition", "route",
                               "finetune", "sweep",   "export-figures", "demo",      "system"};

}  // namespace

class TestCliMain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every command is listed once, with its summary, in the documented order; no command at
    // all prints the same list to stderr and exits 2; --version is one line.
    void helpListsEveryCommand() {
        const auto runs = runClis({{"--help"}, {}, {"--version"}});
        const auto& help = runs[0];
        QVERIFY2(help.finished && help.exitCode == 0 && help.err.isEmpty(), qPrintable(help.err));
        QStringList listed;
        for (const QString& line : help.out.split('\n')) {
            // Command lines are "  <name>  <summary>".
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                listed << line.trimmed().section(' ', 0, 0);
            }
        }
        QCOMPARE(listed, kCommands);
        const auto& bare = runs[1];
        QVERIFY(bare.finished && bare.exitCode == 2 && bare.out.isEmpty());
        QCOMPARE(bare.err, help.out);
        const QRegularExpression version(R"(^moewb \d+\.\d+\.\d+\S*\n$)");
        QVERIFY2(runs[2].exitCode == 0 && version.match(runs[2].out).hasMatch(),
                 qPrintable(runs[2].out));
    }

    // `moewb <command> --help` prints that command's usage on stdout and exits 0, without
    // running anything (nothing on stderr).
    void everyCommandHasHelp() {
        QList<QStringList> commands;
        for (const QString& command : kCommands) {
            commands << QStringList{command, "--help"};
        }
        const auto runs = runClis(commands);
        for (int i = 0; i < kCommands.size(); ++i) {
            const QString& command = kCommands[i];
            QVERIFY2(runs[i].finished && runs[i].exitCode == 0,
                     qPrintable(command + ": " + runs[i].err));
            QVERIFY2(runs[i].out.startsWith("usage: moewb " + command),
                     qPrintable(command + ": " + runs[i].out));
            QVERIFY2(runs[i].err.isEmpty(), qPrintable(command + ": " + runs[i].err));
        }
    }

    // Bad command lines end at once with one line on stderr, exit 2, nothing on stdout: an
    // unknown command (pointing to --help), an unknown option, a stray argument, a missing
    // folder (each command's own test has more).
    void badCommandLinesAreOneLine() {
        const QList<QPair<QStringList, QString>> cases = {
            {{"no-such-command"},
             "moewb: unknown command 'no-such-command' (moewb --help lists "
             "the commands)"},
            {{"--bogus"}, "unknown command '--bogus'"},
            {{"eval", "--no-such-option"}, "moewb eval: unknown option --no-such-option"},
            {{"translate", "Hallo."}, "moewb translate: unexpected argument 'Hallo.' (see --help)"},
            {{"info", "a", "extra"}, "moewb info: unexpected argument 'extra'"},
            {{"profile"},
             "moewb profile: needs PROJECT: moewb profile PROJECT [options] (see --help)"},
        };
        QList<QStringList> commands;
        for (const auto& item : cases) {
            commands << item.first;
        }
        const auto runs = runClis(commands);
        for (int i = 0; i < cases.size(); ++i) {
            const QString what = cases[i].first.join(' ') + ": " + runs[i].err;
            QVERIFY2(runs[i].isUsageError(cases[i].second), qPrintable(what));
            QVERIFY2(runs[i].out.isEmpty(), qPrintable(what));
        }
    }
};

QTEST_APPLESS_MAIN(TestCliMain)
#include "test_CliMain.moc"
