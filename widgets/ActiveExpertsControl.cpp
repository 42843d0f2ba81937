#include "ActiveExpertsControl.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

namespace moewb::gui {

ActiveExpertsControl::ActiveExpertsControl(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("activeExperts"));
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("kMode"));
    m_mode->addItem(tr("fixed K"));
    m_mode->addItem(tr("dynamic (τ)"));
    m_mode->setToolTip(
        tr("Fixed K: every token runs K experts in every layer. Dynamic: each token takes the "
           "fewest experts whose share of the router's mass reaches τ, at most K, so easy tokens "
           "run fewer experts than hard ones."));
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("kSlider"));
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setMinimumWidth(160);
    m_maxKLabel = new QLabel(tr("at most K:"), this);
    m_maxK = new QSpinBox(this);
    m_maxK->setObjectName(QStringLiteral("maxK"));
    m_maxK->setToolTip(tr("The most experts a token may take in dynamic mode"));
    m_maxKLabel->setBuddy(m_maxK);
    m_maxKLabel->setToolTip(m_maxK->toolTip());
    m_value = new QLabel(this);
    m_value->setObjectName(QStringLiteral("kValue"));
    m_value->setToolTip(
        tr("Active experts of all experts, or the threshold τ and the most "
           "experts a token may take"));
    m_value->setMinimumWidth(m_value->fontMetrics().horizontalAdvance("τ = 0.95, K ≤ 16 of 16 "));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_mode);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_maxKLabel);
    layout->addWidget(m_maxK);
    layout->addWidget(m_value);

    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        refresh();
        Q_EMIT changed();
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        (isDynamic() ? m_tauStep : m_fixedK) = value;
        refresh();
        Q_EMIT changed();
    });
    connect(m_maxK, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        refresh();
        Q_EMIT changed();
    });
    setExpertCount(0);
}

void ActiveExpertsControl::setExpertCount(int n) {
    const bool first = m_n == 0 && n > 0;
    m_n = std::max(0, n);
    {
        const QSignalBlocker block(m_maxK);
        m_maxK->setRange(1, std::max(1, m_n));
        if (first) {
            m_fixedK = std::max(1, m_n / 4);  // a quarter: clearly faster, still fluent
            m_maxK->setValue(std::max(1, m_n / 2));
        }
    }
    m_fixedK = std::clamp(m_fixedK, 1, std::max(1, m_n));
    setEnabled(m_n > 0);
    refresh();
}

bool ActiveExpertsControl::isDynamic() const {
    return m_mode->currentIndex() == 1;
}

void ActiveExpertsControl::setDynamic(bool dynamic) {
    m_mode->setCurrentIndex(dynamic ? 1 : 0);
}

int ActiveExpertsControl::k() const {
    return isDynamic() ? m_maxK->value() : m_fixedK;
}

void ActiveExpertsControl::setK(int k) {
    m_fixedK = std::clamp(k, 1, std::max(1, m_n));
    if (isDynamic()) {
        refresh();
        Q_EMIT changed();
    } else {
        m_slider->setValue(m_fixedK);  // emits changed() when it moves
    }
}

void ActiveExpertsControl::setMaxK(int k) {
    m_maxK->setValue(k);
}

double ActiveExpertsControl::threshold() const {
    return isDynamic() ? m_tauStep * kTauStep : 0.0;
}

void ActiveExpertsControl::setThreshold(double tau) {
    m_tauStep = std::clamp(static_cast<int>(std::lround(tau / kTauStep)), 1, kTauSteps);
    if (isDynamic()) {
        m_slider->setValue(m_tauStep);
    }
}

void ActiveExpertsControl::refresh() {
    const bool dynamic = isDynamic();
    {
        const QSignalBlocker block(m_slider);
        if (dynamic) {
            m_slider->setRange(1, kTauSteps);
            m_slider->setValue(m_tauStep);
            m_slider->setToolTip(
                tr("Threshold τ: each token takes experts, best first, until they hold this "
                   "share of the router's mass (at most K); lower τ, less compute"));
        } else {
            m_slider->setRange(1, std::max(1, m_n));
            m_slider->setValue(m_fixedK);
            m_slider->setToolTip(
                tr("Active experts K per token and layer: fewer experts, less "
                   "feed-forward compute"));
        }
    }
    m_maxKLabel->setVisible(dynamic);
    m_maxK->setVisible(dynamic);
    if (m_n <= 0) {
        m_value->setText(tr("K = –"));
    } else if (dynamic) {
        m_value->setText(tr("τ = %1, K ≤ %2 of %3").arg(threshold(), 0, 'f', 2).arg(k()).arg(m_n));
    } else {
        m_value->setText(tr("K = %1 of %2").arg(m_fixedK).arg(m_n));
    }
}

}  // namespace moewb::gui
