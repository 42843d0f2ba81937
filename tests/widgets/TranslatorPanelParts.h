#pragma once
// The translator panel's parts as the tests reach them: by the object names the panel gives its
// widgets (the names Qt's accessibility and test tools see), so that the panel carries no
// accessors for tests. A missing part fails the test with its name.

#include "ActiveExpertsControl.h"
#include "DemoSentenceModel.h"
#include "ExpertStripPlot.h"
#include "SentencePicker.h"
#include "TranslatorPanel.h"

#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QtGlobal>

namespace moewb::test {

template <typename T>
T* partOf(const QObject& widget, const char* name) {
    T* part = widget.findChild<T*>(QString::fromLatin1(name));
    if (!part) {
        qFatal("%s has no part named \"%s\"", qPrintable(widget.objectName()), name);
    }
    return part;
}

struct TranslatorPanelParts {
    explicit TranslatorPanelParts(const gui::TranslatorPanel& panel)
        : activeExperts(partOf<gui::ActiveExpertsControl>(panel, "activeExperts")),
          kSlider(activeExperts->slider()),  // K in fixed mode, τ in dynamic mode
          sourceEdit(partOf<QLineEdit>(panel, "sourceEdit")),
          referenceEdit(partOf<QLineEdit>(panel, "referenceEdit")),
          partitionCombo(partOf<QComboBox>(panel, "partitionCombo")),
          routerCombo(partOf<QComboBox>(panel, "routerCombo")),
          denseOutputLabel(partOf<QLabel>(panel, "denseOutput")),
          denseTimeLabel(partOf<QLabel>(panel, "denseTime")),
          moeBox(partOf<QGroupBox>(panel, "moeBox")),
          moeOutputLabel(partOf<QLabel>(panel, "moeOutput")),
          moeTimeLabel(partOf<QLabel>(panel, "moeTime")),
          moeBleuLabel(partOf<QLabel>(panel, "moeBleu")),
          moeComputeLabel(partOf<QLabel>(panel, "moeCompute")),
          flopsLabel(partOf<QLabel>(panel, "flops")),
          speedupLabel(partOf<QLabel>(panel, "speedup")),
          statusLabel(partOf<QLabel>(panel, "status")),
          expertStrip(partOf<gui::ExpertStripPlot>(panel, "expertStrip")),
          sentences(partOf<gui::SentencePicker>(panel, "sentencePicker")->sentences()) {}

    gui::ActiveExpertsControl* activeExperts;
    QSlider* kSlider;
    QLineEdit* sourceEdit;
    QLineEdit* referenceEdit;
    QComboBox* partitionCombo;
    QComboBox* routerCombo;
    QLabel* denseOutputLabel;
    QLabel* denseTimeLabel;
    QGroupBox* moeBox;
    QLabel* moeOutputLabel;
    QLabel* moeTimeLabel;
    QLabel* moeBleuLabel;
    QLabel* moeComputeLabel;  // "compute 18.5 % · 2.31 experts per token"
    QLabel* flopsLabel;       // the planned compute of the chosen K
    QLabel* speedupLabel;
    QLabel* statusLabel;
    gui::ExpertStripPlot* expertStrip;
    gui::DemoSentenceModel* sentences;
};

}  // namespace moewb::test
