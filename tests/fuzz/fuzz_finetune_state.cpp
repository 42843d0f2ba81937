// The fine-tuning checkpoint header, readFinetuneCheckpoint() on a folder holding the input as
// state.json (what `moewb finetune --resume` and the GUI's resume offer read first).
#include "FuzzSupport.h"

#include "moewb/moe/MoeFinetuner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    fuzz::writeScratch("checkpoint/state.json", data, size);
    const std::string folder = fuzz::scratchFolder() + "/checkpoint";
    fuzz::expectCleanErrors(folder, [&] { (void)readFinetuneCheckpoint(folder); });
    return 0;
}
