#pragma once
// QCustomPlot for the project's Qt code. The project builds its Qt code with QT_NO_KEYWORDS, so
// that Qt's `slots` macro cannot break LibTorch's headers (which use `slots` as a name) and
// headers can be included in any order; Debian's qcustomplot.h still spells `signals`, `slots`
// and `foreach`, so it gets them here, for its own lines only.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
