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
    options.beamSize = args.intValue("beam", options.beamSize);
    options.batchSize = args.intValue("batch", options.batchSize);
    options.maxLength = args.intValue("max-length", options.maxLength);
    options.lengthPenalty = args.doubleValue("length-penalty", options.lengthPenalty);
    options.referenceStep = args.has("reference-step");
    if (options.beamSize < 1 || options.batchSize < 1 || options.maxLength < 1) {
        throw UsageError("--beam, --batch and --max-length must be at least 1");
    }
    return options;
}

}  // namespace moewb::cli
