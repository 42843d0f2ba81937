#include "AboutBox.h"

#include <metis.h>
#include "QCustomPlotHeader.h"
#include <torch/version.h>

#include <QIcon>
#include <QMessageBox>

namespace moewb::gui {

QString AboutBox::text() {
    const QString metis = QStringLiteral("%1.%2.%3")
                              .arg(METIS_VER_MAJOR)
                              .arg(METIS_VER_MINOR)
                              .arg(METIS_VER_SUBMINOR);
    return tr("<h3>MoE Workbench %1</h3>"
              "<p>See and feel the MoEfication of a German→English Transformer: profile its "
              "feed-forward layers, split them into experts, route tokens to a few of them, and "
              "measure what that does to speed and translation quality.</p>"
              "<p>Licence: GNU GPL version 3 or later.</p>")
               .arg(QStringLiteral(MOEWB_VERSION)) +
           tr("<p>Qt %1 (built with %2)<br>LibTorch %3<br>METIS %4<br>QCustomPlot %5</p>")
               .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                    QStringLiteral(TORCH_VERSION), metis, QStringLiteral(QCUSTOMPLOT_VERSION_STR));
}

void AboutBox::show(QWidget* parent) {
    QMessageBox box(parent);
    box.setObjectName(QStringLiteral("aboutDialog"));
    box.setWindowTitle(tr("About MoE Workbench"));
    box.setTextFormat(Qt::RichText);
    box.setText(text());
    box.setIconPixmap(QIcon(QStringLiteral(":/icons/moe-workbench.svg")).pixmap(96, 96));
    box.exec();
}

}  // namespace moewb::gui
