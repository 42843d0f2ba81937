// moe-workbench: the desktop GUI. Sets up the application (identity, icon, translations, options)
// and shows the main window; everything else lives in moewb_widgets.
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

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
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate(
            "main", "Show the main window, save a PNG picture of it to <file> and quit."),
        QCoreApplication::translate("main", "file"));
    parser.addOption(screenshotOption);
    parser.process(app);

    MainWindow window;
    const QString screenshot = parser.value(screenshotOption);
    if (!screenshot.isEmpty()) {
        window.resize(1200, 760);  // a fixed size, so screenshots do not depend on saved state
    }
    window.show();

    if (!screenshot.isEmpty()) {
        // After the first layout and paint of the shown window, not before.
        QTimer::singleShot(500, &window, [&window, screenshot] {
            const bool saved = window.grab().save(screenshot, "PNG");
            if (!saved) {
                std::fprintf(stderr, "moe-workbench: %s\n",
                             qPrintable(QCoreApplication::translate(
                                            "main", "cannot write the screenshot \"%1\"")
                                            .arg(screenshot)));
            }
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
