#pragma once

#include "QCustomPlotHeader.h"

#include <cmath>

namespace moewb::gui {

// The maps hold log10(count) and colour it linearly: QCustomPlot's logarithmic colouring takes a
// logarithm per cell on every image rebuild, which is too slow for 1024 × 1024. This ticker
// labels the log10 axis of the colour scale with the counts (1, 10, 100, …) and puts sub-ticks at
// 2…9 × 10^k, so it reads as a log scale.
class Log10CountTicker : public QCPAxisTicker {
protected:
    QVector<double> createTickVector(double, const QCPRange& range) override {
        QVector<double> ticks;
        for (double k = std::ceil(range.lower); k <= std::floor(range.upper) + 1e-9; k += 1.0) {
            ticks << k;
        }
        return ticks;
    }
    QVector<double> createSubTickVector(int, const QVector<double>& ticks) override {
        QVector<double> subTicks;
        const double first = ticks.isEmpty() ? 0.0 : ticks.first() - 1.0;
        const double last = ticks.isEmpty() ? 0.0 : ticks.last();
        for (double k = first; k <= last; k += 1.0) {
            for (int m = 2; m <= 9; ++m) {
                subTicks << k + std::log10(double(m));
            }
        }
        return subTicks;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar, int) override {
        return locale.toString(qlonglong(std::llround(std::pow(10.0, tick))));
    }
};

}  // namespace moewb::gui
