#include "moewb/util/JsonFile.h"

#include "moewb/util/AtomicFile.h"

#include <stdexcept>

namespace moewb {

void writeJsonFile(const std::string& path, Json document, const std::string& format, int version) {
    if (!document.is_object()) {
        throw std::invalid_argument("writeJsonFile: document for '" + path + "' is not an object");
    }
    document["format"] = format;
    document["version"] = version;
    writeFileAtomic(path, document.dump(1) + "\n");
}

std::string jsonQuote(const std::string& text) {
    return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json readJsonFile(const std::string& path, const std::string& format, int maxVersion) {
    const std::string text = readFileBytes(path);
    Json document;
    try {
        document = Json::parse(text);
    } catch (const nlohmann::json::out_of_range& e) {
        // The parser's other error: a number beyond double's range (1e400).
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann reports a byte offset; turn it into line and column for the user.
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw std::runtime_error(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                 ": not valid JSON (" + e.what() + ")");
    }
    if (!document.is_object() || !document.contains("format") || !document["format"].is_string()) {
        throw std::runtime_error(path + ": not a MoE Workbench file (no \"format\" field)");
    }
    if (document["format"] != format) {
        throw std::runtime_error(path + ": is a " +
                                 jsonQuote(document["format"].get<std::string>()) +
                                 " file, expected '" + format + "'");
    }
    if (!document.contains("version") || !document["version"].is_number_integer()) {
        throw std::runtime_error(path + ": has no integer \"version\" field");
    }
    // As int64: a huge version must not wrap around to an accepted one.
    const int64_t version = document["version"].get<int64_t>();
    if (version > maxVersion) {
        throw std::runtime_error(path + ": format version " + std::to_string(version) +
                                 " is newer than this MoE Workbench understands (" +
                                 std::to_string(maxVersion) +
                                 "); open it with a newer MoE Workbench");
    }
    if (version < 1) {
        throw std::runtime_error(path + ": invalid format version " + std::to_string(version));
    }
    return document;
}

}  // namespace moewb
