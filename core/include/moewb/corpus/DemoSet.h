#pragma once
// The built-in demo set (resources/demo/demo.tsv): German sentences with English references
// written for the project. Default evaluation set, translator list, demo comparison table.

#include "moewb/corpus/ParallelCorpus.h"

#include <string>

namespace moewb {

// Path of demo.tsv, or throws std::runtime_error saying where it was looked for.
std::string demoSetPath();
// Reads the demo set (errors name file and line, as every corpus reader).
ParallelCorpus loadDemoSet();

}  // namespace moewb
