// The model-file reader, NmtModel::load(), on arbitrary bytes. A model that loads must work:
// its tokenizer encodes text.
#include "FuzzSupport.h"

#include "moewb/nmt/NmtModel.h"

#include <ATen/Parallel.h>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    at::set_num_threads(1);  // one small load at a time: no thread pool to wake per input
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string path = moewb::fuzz::writeScratch("model.moewb", data, size);
    moewb::fuzz::expectCleanErrors(path, [&] {
        const auto model = moewb::NmtModel::load(path);
        (void)model->parameterCount();
        (void)model->tokenizer().encode("Ein Hund rennt.");
    });
    return 0;
}
