#pragma once
// Versioned JSON documents: every file carries {"format": <name>, "version": <int>} so a reader
// can refuse a different kind of file or a newer version with a message that says what to do.

#include <nlohmann/json.hpp>

#include <string>

namespace moewb {

using Json = nlohmann::json;

// Writes `document` (an object) with its format name and version, atomically, pretty-printed.
void writeJsonFile(const std::string& path, Json document, const std::string& format, int version);

// Reads a JSON file written by writeJsonFile(). Throws std::runtime_error naming the file when it
// is missing, not JSON (with line and column), of another format, or newer than `maxVersion`.
Json readJsonFile(const std::string& path, const std::string& format, int maxVersion);

}  // namespace moewb
