#include "moewb/util/ContentHash.h"

#include <cstdio>

namespace moewb {

ContentHash& ContentHash::addBytes(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        m_state ^= bytes[i];
        m_state *= 1099511628211ull;  // the FNV-1a 64-bit prime
    }
    return *this;
}

ContentHash& ContentHash::add(int64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(static_cast<uint64_t>(value) >> (8 * i));
    }
    return addBytes(bytes, sizeof bytes);
}

ContentHash& ContentHash::add(std::string_view text) {
    add(static_cast<int64_t>(text.size()));
    return addBytes(text.data(), text.size());
}

std::string ContentHash::hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(m_state));
    return text;
}

}  // namespace moewb
