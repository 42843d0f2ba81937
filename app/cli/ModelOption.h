#pragma once
// --model handling shared by the commands that translate: the given file or the shipped default.

#include "CliSupport.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/Translator.h"

#include <memory>

namespace moewb::cli {

// Loads --model, or the shipped default model when it is absent.
std::shared_ptr<NmtModel> loadModelOption(const Arguments& args);

// Bounds of the decoding options: a larger beam or batch only burns time and memory, and no
// output is longer than the model's 1024 positions.
constexpr int kMaxBeam = 64;
constexpr int kMaxBatch = 1024;
constexpr int kMaxLength = 1024;

// --beam, --batch, --max-length, --length-penalty into DecodeOptions, strictly parsed within the
// bounds above (UsageError naming the option otherwise).
DecodeOptions decodeOptions(const Arguments& args);

}  // namespace moewb::cli
