#pragma once
// What every fuzz target shares: the input written to a scratch file (the readers take paths),
// and the rule a reader must keep on any input: succeed, or throw std::runtime_error or
// std::invalid_argument with a one-line message that names the file. Anything else (another
// exception type, a multi-line or anonymous message) aborts, so libFuzzer reports it as a crash
// next to the sanitizers' reports.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace moewb::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "\n==fuzz== %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// A folder of this process under $TMPDIR (default /tmp), created on first use.
inline const std::string& scratchFolder() {
    static const std::string folder = [] {
        const char* tmp = std::getenv("TMPDIR");
        const std::string path =
            std::string(tmp && *tmp ? tmp : "/tmp") + "/moewb-fuzz-" + std::to_string(::getpid());
        std::filesystem::create_directories(path);
        return path;
    }();
    return folder;
}

// Writes `size` bytes to scratchFolder()/name (replacing it) and returns the path.
inline std::string writeScratch(const std::string& name, const uint8_t* data, std::size_t size) {
    const std::string path = scratchFolder() + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) {
        fail("cannot write the scratch file " + path);
    }
    return path;
}

// MOEWB_FUZZ_LAX_MESSAGES=1 skips the message checks (not the exception types), to fuzz on past a
// known message problem.
inline void checkMessage(const char* what, const std::string& mention) {
    static const bool lax = [] {
        const char* value = std::getenv("MOEWB_FUZZ_LAX_MESSAGES");
        return value && std::string(value) == "1";
    }();
    if (lax) {
        return;
    }
    const std::string message = what;
    if (message.empty() || message.find('\n') != std::string::npos) {
        fail("error message is empty or not one line: [" + message + "]");
    }
    if (!mention.empty() && message.find(mention) == std::string::npos) {
        fail("error message does not name '" + mention + "': " + message);
    }
}

// Runs `read`; errors must follow the rule above, with messages naming `mention` (skipped when
// empty: readers of in-memory documents name the field instead).
template <typename Read>
void expectCleanErrors(const std::string& mention, Read&& read) {
    try {
        read();
    } catch (const std::runtime_error& e) {
        checkMessage(e.what(), mention);
    } catch (const std::invalid_argument& e) {
        checkMessage(e.what(), mention);
    } catch (const std::exception& e) {
        fail(std::string("a reader let ") + typeid(e).name() + " escape: " + e.what());
    }
}

}  // namespace moewb::fuzz
