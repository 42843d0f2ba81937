#pragma once
// The About box: the workbench's version and the versions of the libraries it runs with (Qt,
// LibTorch, METIS, QCustomPlot), so a bug report or a poster can cite them.

#include <QCoreApplication>
#include <QString>

class QWidget;

namespace moewb::gui {

class AboutBox {
    Q_DECLARE_TR_FUNCTIONS(AboutBox)

public:
    // Rich text: application version, a one-paragraph description, the licence and versions.
    static QString text();
    // Shows the text in a modal message box with the application icon.
    static void show(QWidget* parent);
};

}  // namespace moewb::gui
