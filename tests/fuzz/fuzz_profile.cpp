// The profile reader, loadProfile(): binary counts behind a JSON header. A profile that loads
// must have the sizes its consumers index by (d_ff activations, d_ff x d_ff co-activations).
#include "FuzzSupport.h"

#include "moewb/project/ArtifactFiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string path = moewb::fuzz::writeScratch("profile.bin", data, size);
    moewb::fuzz::expectCleanErrors(path, [&] {
        const auto profile = moewb::loadProfile(path);
        for (const auto& layer : profile.layers) {
            const auto n = static_cast<std::size_t>(layer.dFf);
            if (layer.dFf <= 0 || layer.activations.size() != n ||
                layer.coActivation.size() != n * n) {
                moewb::fuzz::fail("loadProfile accepted inconsistent sizes in layer " + layer.name);
            }
            (void)layer.sparsity();
            (void)layer.frequencies();
            (void)layer.coActivationAt(layer.dFf - 1, layer.dFf - 1);
        }
    });
    return 0;
}
