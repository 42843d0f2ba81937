#pragma once
// --model handling shared by the commands that translate: the given file or the shipped default.

#include "CliSupport.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/Translator.h"

#include <memory>

namespace moewb::cli {

// Loads --model, or the shipped default model when it is absent.
std::shared_ptr<NmtModel> loadModelOption(const Arguments& args);

// --beam, --batch, --max-length, --length-penalty into DecodeOptions.
DecodeOptions decodeOptions(const Arguments& args);

}  // namespace moewb::cli
