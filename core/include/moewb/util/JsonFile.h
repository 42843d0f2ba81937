#pragma once
// Versioned JSON documents: every file carries {"format": <name>, "version": <int>} so a reader
// can refuse a different kind of file or a newer version with a message that says what to do.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace moewb {

using Json = nlohmann::json;

// Writes `document` (an object) with its format name and version, atomically, pretty-printed.
void writeJsonFile(const std::string& path, Json document, const std::string& format, int version);

// Reads a JSON file written by writeJsonFile(). Throws std::runtime_error naming the file when it
// is missing, not JSON (with line and column), of another format, or newer than `maxVersion`.
Json readJsonFile(const std::string& path, const std::string& format, int maxVersion);

// `text` from a file as a quoted, escaped JSON string ("a\nb"), so that it cannot break an
// error message over several lines.
std::string jsonQuote(const std::string& text);

// The integer in `value` as T. Throws std::invalid_argument naming `field` unless it is a JSON
// integer that T holds: nlohmann's get<int>() converts an out-of-range float with undefined
// behaviour and wraps a large integer silently, so readers of files use this instead.
template <typename T>
T jsonInteger(const Json& value, const std::string& field) {
    static_assert(std::is_integral_v<T>, "jsonInteger reads integers");
    constexpr auto lowest = std::numeric_limits<T>::min();
    constexpr auto highest = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    bool fits = false;
    if (value.is_number_unsigned()) {
        fits = value.get<std::uint64_t>() <= highest;
    } else if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        fits = v >= 0 ? static_cast<std::uint64_t>(v) <= highest
                      : std::is_signed_v<T> && v >= static_cast<std::int64_t>(lowest);
    }
    if (!fits) {
        throw std::invalid_argument("'" + field + "' must be a whole number from " +
                                    std::to_string(lowest) + " to " + std::to_string(highest) +
                                    ", not " +
                                    (value.is_number() ? value.dump() : value.type_name()));
    }
    return value.get<T>();
}

}  // namespace moewb
