// moe-workbench: the desktop GUI. Sets up the application (identity, icon, translations, options)
// and shows the main window; everything else lives in moewb_widgets.
#include "JobRunner.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "moewb/util/TorchRuntime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

using namespace moewb::gui;

namespace {

const char* const kLanguageKey = "language";

QCommandLineOption languageOption() {
    return QCommandLineOption(
        QStringLiteral("lang"),
        QCoreApplication::translate("main",
                                    "Use the user-interface language <code>, e.g. zh_CN or en "
                                    "(default: the \"language\" setting, then the system locale)."),
        QCoreApplication::translate("main", "code"));
}

// The language asked for on the command line, read before the translations exist so that the
// --help text itself can be translated.
QString requestedLanguage(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption option = languageOption();
    parser.addOption(option);
    parser.parse(arguments);  // errors (other options) are reported by the real parse later
    return parser.value(option);
}

// Installs the workbench's and Qt's own translations for locale. Returns false when the workbench
// has no translation for it (English source strings are then shown).
bool installTranslations(QApplication& app, const QLocale& locale) {
    auto* qtTranslator = new QTranslator(&app);
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
    }
    auto* appTranslator = new QTranslator(&app);
    if (!appTranslator->load(locale, QStringLiteral("moe-workbench"), QStringLiteral("_"),
                             QStringLiteral(":/i18n"))) {
        return false;
    }
    QCoreApplication::installTranslator(appTranslator);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    // Debian's LibTorch starts with one intra-op thread; the jobs and the translator use all
    // cores, as the CLI does by default.
    moewb::configureTorchThreads(0);
    QCoreApplication::setOrganizationName(MainWindow::organizationName());
    QCoreApplication::setApplicationName(MainWindow::applicationName());
    QCoreApplication::setApplicationVersion(QStringLiteral(MOEWB_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.moeworkbench.MoEWorkbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/moe-workbench.svg")));

    // Language: --lang, then the "language" setting, then the system locale.
    QString language = requestedLanguage(QCoreApplication::arguments());
    if (language.isEmpty()) {
        language = QSettings().value(kLanguageKey).toString();
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty()) {
        QLocale::setDefault(locale);
    }
    const bool translated = installTranslations(app, locale);
    // English is the source language: no translation needed, nothing to warn about.
    if (!translated && !language.isEmpty() && locale.language() != QLocale::English &&
        locale.language() != QLocale::C) {
        std::fprintf(stderr, "moe-workbench: %s\n",
                     qPrintable(QCoreApplication::translate(
                                    "main", "no translation for \"%1\"; showing English")
                                    .arg(language)));
    }
    QApplication::setApplicationDisplayName(QCoreApplication::translate("main", "MoE Workbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "See and feel the MoEfication of a German→English Transformer."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(languageOption());
    const QCommandLineOption projectOption(
        QStringLiteral("project"),
        QCoreApplication::translate("main",
                                    "Open the project in <folder> (created when it has no "
                                    "project.json; default: the default project)."),
        QCoreApplication::translate("main", "folder"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate(
            "main",
            "Once the project is loaded, save a PNG picture of the window to <file> "
            "and quit."),
        QCoreApplication::translate("main", "file"));
    const QCommandLineOption screenshotsOption(
        QStringLiteral("screenshots"),
        QCoreApplication::translate("main",
                                    "Once the project is loaded, save a PNG picture of every "
                                    "tab into <folder> and quit."),
        QCoreApplication::translate("main", "folder"));
    const QCommandLineOption exportOption(
        QStringLiteral("export-figures"),
        QCoreApplication::translate("main",
                                    "Open the project, write every figure (PNG, PDF, SVG) into "
                                    "<folder> and quit (no steps are run)."),
        QCoreApplication::translate("main", "folder"));
    parser.addOptions({projectOption, screenshotOption, screenshotsOption, exportOption});
    parser.process(app);

    MainWindow window;
    const QString screenshot = parser.value(screenshotOption);
    const QString screenshots = parser.value(screenshotsOption);
    const QString exportFolder = parser.value(exportOption);
    const bool batch = !screenshot.isEmpty() || !screenshots.isEmpty() || !exportFolder.isEmpty();
    window.setBatchMode(batch);
    if (batch) {
        window.resize(1360, 860);  // a fixed size, so pictures do not depend on saved state
    }
    window.show();
    const QString folder = parser.isSet(projectOption) ? parser.value(projectOption)
                                                       : ProjectSession::defaultProjectFolder();
    if (exportFolder.isEmpty()) {
        window.openProject(folder);
    } else {
        window.session()->open(folder);
    }
    if (!batch) {
        return QApplication::exec();
    }

    // Batch modes wait until the project is open and every job (the quick start included) has
    // ended, then act and quit.
    auto fail = [](const QString& message) {
        std::fprintf(stderr, "moe-workbench: %s\n", qPrintable(message));
        QCoreApplication::exit(1);
    };
    QObject::connect(window.session(), &ProjectSession::openFailed, &app,
                     [&](const QString&, const QString& message) { fail(message); });
    auto act = [&] {
        if (!exportFolder.isEmpty()) {
            QString error;
            const QStringList written = window.exportAllFigures(exportFolder, &error);
            for (const QString& file : written) {
                std::printf("%s\n", qPrintable(file));
            }
            error.isEmpty() ? QCoreApplication::exit(0) : fail(error);
            return;
        }
        if (!screenshots.isEmpty()) {
            QDir().mkpath(screenshots);
            for (int i = 0; i < window.tabs()->count(); ++i) {
                window.tabs()->setCurrentIndex(i);
                QEventLoop settle;  // layout and queued replots of the new tab
                QTimer::singleShot(400, &settle, &QEventLoop::quit);
                settle.exec();
                const QString file =
                    QDir(screenshots)
                        .filePath(QStringLiteral("%1-%2.png")
                                      .arg(i + 1)
                                      .arg(window.tabs()->widget(i)->objectName()));
                if (!window.grab().save(file, "PNG")) {
                    fail(QCoreApplication::translate("main", "cannot write \"%1\"").arg(file));
                    return;
                }
                std::printf("%s\n", qPrintable(file));
            }
        }
        if (!screenshot.isEmpty() && !window.grab().save(screenshot, "PNG")) {
            fail(QCoreApplication::translate("main", "cannot write the screenshot \"%1\"")
                     .arg(screenshot));
            return;
        }
        QCoreApplication::exit(0);
    };
    auto* idle = new QTimer(&app);
    idle->setInterval(500);
    int quietTicks = 0;
    QObject::connect(idle, &QTimer::timeout, &app, [&] {
        // Two quiet ticks in a row: the quick-start chain starts its next step within a tick.
        quietTicks =
            window.session()->isOpen() && !window.jobRunner()->isBusy() ? quietTicks + 1 : 0;
        if (quietTicks == 2) {
            idle->stop();
            act();
        }
    });
    idle->start();
    return QApplication::exec();
}
