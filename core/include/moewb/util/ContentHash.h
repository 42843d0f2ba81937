#pragma once
// A short, stable identity for an artifact's content: FNV-1a over 64 bits, written as 16 hex
// digits. Routers record the hash of the partition they were trained on and sweeps the hashes of
// their partition and router, so a file made from an older parent is noticed (not a security
// hash: it guards against mix-ups, not against forgery).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace moewb {

class ContentHash {
public:
    ContentHash& addBytes(const void* data, std::size_t size);
    // Integers go in as 8 little-endian bytes, text with its length first, so that sequences of
    // values cannot run into each other.
    ContentHash& add(int64_t value);
    ContentHash& add(std::string_view text);

    uint64_t value() const { return m_state; }
    std::string hex() const;  // 16 lowercase hex digits

private:
    uint64_t m_state = 14695981039346656037ull;  // the FNV-1a 64-bit offset basis
};

}  // namespace moewb
