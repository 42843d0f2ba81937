#include "ExpertLoadPlot.h"

#include "FigureExporter.h"

#include <algorithm>
#include <cmath>

namespace moewb::gui {

ExpertLoadPlot::ExpertLoadPlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName(QStringLiteral("gateExpertLoad"));
    setToolTip(
        tr("Share of held-out tokens that run each expert of the picked layer at K (the dashed "
           "line is the even share K/N), and the coefficient of variation of those shares per "
           "layer: 0 is perfectly even; a high value means a few experts do most of the work"));
    setMinimumSize(360, 260);
    plotLayout()->insertRow(0);
    QFont titleFont = font();
    titleFont.setBold(true);
    m_title = new QCPTextElement(this, QString(), titleFont);
    plotLayout()->addElement(0, 0, m_title);
    m_cvRect = new QCPAxisRect(this);
    plotLayout()->addElement(2, 0, m_cvRect);
    plotLayout()->setRowStretchFactor(2, 0.6);
    auto* margins = new QCPMarginGroup(this);
    for (QCPAxisRect* rect : axisRects()) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
    }
    xAxis->setLabel(tr("Expert"));
    // Experts are whole numbers: 1, 2, 4, … as the count grows, never 0.5.
    auto experts = QSharedPointer<QCPAxisTickerFixed>::create();
    experts->setTickStep(1.0);
    experts->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    xAxis->setTicker(experts);
    yAxis->setLabel(tr("Share of tokens"));
    m_cvRect->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_cvRect->axis(QCPAxis::atLeft)->setLabel(tr("Load CV"));

    const QColor color = FigureExporter::color(0);
    m_loadBars = new QCPBars(xAxis, yAxis);
    m_loadBars->setName(tr("share of tokens"));
    m_loadBars->setWidth(0.75);
    m_loadBars->setPen(QPen(color.darker(130), 1));
    m_loadBars->setBrush(color);
    m_even = addGraph();
    m_even->setName(tr("even share K/N"));
    m_even->setPen(QPen(FigureExporter::neutralColor(), 1.5, Qt::DashLine));
    QCPAxis* cvKeys = m_cvRect->axis(QCPAxis::atBottom);
    QCPAxis* cvValues = m_cvRect->axis(QCPAxis::atLeft);
    m_cvBars = new QCPBars(cvKeys, cvValues);
    m_cvBars->setWidth(0.6);
    m_cvBars->setPen(QPen(color.lighter(115), 1));
    m_cvBars->setBrush(color.lighter(150));
    m_cvPicked = new QCPBars(cvKeys, cvValues);
    m_cvPicked->setWidth(0.6);
    m_cvPicked->setPen(QPen(color.darker(130), 1));
    m_cvPicked->setBrush(color);
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    for (QCPAbstractPlottable* p : {static_cast<QCPAbstractPlottable*>(m_cvBars),
                                    static_cast<QCPAbstractPlottable*>(m_cvPicked)}) {
        p->removeFromLegend();
    }
    FigureExporter::applyTheme(this);
    refresh();
}

void ExpertLoadPlot::setLoad(const Load& load) {
    m_data = load;
    m_layer = std::clamp(m_layer, 0, std::max(0, static_cast<int>(m_data.load.size()) - 1));
    refresh();
}

void ExpertLoadPlot::setLayerLabels(const QStringList& labels) {
    m_layerLabels = labels;
    refresh();
}

void ExpertLoadPlot::setK(int k) {
    m_k = std::max(1, k);
    refresh();
}

void ExpertLoadPlot::setLayer(int layer) {
    m_layer = std::max(0, layer);
    refresh();
}

bool ExpertLoadPlot::isMeasured() const {
    const auto layer = static_cast<std::size_t>(m_layer);
    return layer < m_data.load.size() && m_k <= static_cast<int>(m_data.load[layer].size()) &&
           !m_data.load[layer][static_cast<std::size_t>(m_k - 1)].empty();
}

double ExpertLoadPlot::currentCv() const {
    const auto layer = static_cast<std::size_t>(m_layer);
    if (!isMeasured() || layer >= m_data.cv.size() ||
        m_k > static_cast<int>(m_data.cv[layer].size())) {
        return std::nan("");
    }
    return m_data.cv[layer][static_cast<std::size_t>(m_k - 1)];
}

QString ExpertLoadPlot::titleText() const {
    return m_title->text();
}

QString ExpertLoadPlot::layerLabel(int layer) const {
    return layer < m_layerLabels.size() ? m_layerLabels[layer] : tr("L%1").arg(layer + 1);
}

void ExpertLoadPlot::refresh() {
    QVector<double> experts, shares, layers, cvs, pickedKey, pickedCv;
    auto ticker = m_cvRect->axis(QCPAxis::atBottom)->ticker().dynamicCast<QCPAxisTickerText>();
    ticker->clear();
    const int layerCount = static_cast<int>(m_data.load.size());
    int n = 0;
    if (isMeasured()) {
        const auto& load = m_data.load[static_cast<std::size_t>(m_layer)];
        const auto& atK = load[static_cast<std::size_t>(m_k - 1)];
        n = static_cast<int>(atK.size());
        for (int e = 0; e < n; ++e) {
            experts << e + 1;
            shares << atK[static_cast<std::size_t>(e)];
        }
        for (int l = 0; l < layerCount; ++l) {
            const auto& cv = l < static_cast<int>(m_data.cv.size())
                                 ? m_data.cv[static_cast<std::size_t>(l)]
                                 : std::vector<double>();
            ticker->addTick(l, layerLabel(l));
            if (m_k <= static_cast<int>(cv.size())) {
                (l == m_layer ? pickedKey : layers) << l;
                (l == m_layer ? pickedCv : cvs) << cv[static_cast<std::size_t>(m_k - 1)];
            }
        }
    }
    m_loadBars->setData(experts, shares, true);
    m_cvBars->setData(layers, cvs, true);
    m_cvPicked->setData(pickedKey, pickedCv, true);
    const double even = n > 0 ? double(m_k) / n : 0.0;
    m_even->setData(n > 0 ? QVector<double>{0.5, n + 0.5} : QVector<double>(),
                    n > 0 ? QVector<double>{even, even} : QVector<double>(), true);
    double top = std::max(even, 0.1);
    for (double share : shares) {
        top = std::max(top, share);
    }
    yAxis->setRange(0, std::min(1.05, top * 1.15));
    xAxis->setRange(0.3, std::max(1, n) + 0.7);
    xAxis->ticker()->setTickCount(std::min(std::max(n, 2), 16));
    legend->setVisible(n > 0);  // nothing to explain on an empty plot
    double cvTop = 0.1;
    for (double cv : cvs + pickedCv) {
        cvTop = std::max(cvTop, cv);
    }
    m_cvRect->axis(QCPAxis::atLeft)->setRange(0, cvTop * 1.15);
    m_cvRect->axis(QCPAxis::atBottom)->setRange(-0.6, std::max(0, layerCount - 1) + 0.6);

    if (m_data.router.isEmpty()) {
        m_title->setText(tr("Expert load: no router chosen"));
    } else if (!isMeasured()) {
        m_title->setText(
            tr("Expert load of %1: not measured (re-run the Routers step)").arg(m_data.router));
    } else {
        m_title->setText(tr("Expert load of %1, layer %2, K = %3: CV %4")
                             .arg(m_data.router, layerLabel(m_layer))
                             .arg(m_k)
                             .arg(currentCv(), 0, 'f', 2));
    }
    replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace moewb::gui
