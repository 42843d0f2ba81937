#include "ModelOption.h"

#include <iostream>

namespace moewb::cli {

std::shared_ptr<NmtModel> loadModelOption(const Arguments& args) {
    const std::string path = args.has("model") ? args.value("model") : NmtModel::defaultModelPath();
    auto model = NmtModel::load(path);
    std::cerr << "model: " << path << "\n";
    return model;
}

DecodeOptions decodeOptions(const Arguments& args) {
    DecodeOptions options;
    options.beamSize = args.intValue("beam", options.beamSize, 1, kMaxBeam,
                                     "a beam of 64 already takes seconds a sentence");
    options.batchSize = args.intValue("batch", options.batchSize, 1, kMaxBatch);
    options.maxLength = args.intValue("max-length", options.maxLength, 1, kMaxLength,
                                      "target tokens; the model has 1024 positions");
    options.lengthPenalty =
        args.doubleValue("length-penalty", options.lengthPenalty, NumberRange::between(0, 5));
    options.referenceStep = args.has("reference-step");
    return options;
}

}  // namespace moewb::cli
