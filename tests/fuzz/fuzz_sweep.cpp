// The sweep and comparison-table readers, SweepResult::fromJson() and ComparisonTable::fromJson()
// (the callers parse the file and add its name), and the CSV / text written from what loads.
#include "FuzzSupport.h"

#include "moewb/moe/Sweep.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) {
        return 0;
    }
    fuzz::expectCleanErrors("sweep JSON", [&] { (void)SweepResult::fromJson(json).toCsv(); });
    fuzz::expectCleanErrors("comparison table JSON",
                            [&] { (void)ComparisonTable::fromJson(json).toText(); });
    return 0;
}
