#pragma once
// One-line error messages for the user. LibTorch's errors (c10::Error) carry a C++ backtrace of
// dozens of "frame #" lines in what(); the catch boundaries (CLI main, the GUI's job runner) and
// the readers that wrap a caught error in their own message show errorText() instead.

#include <exception>
#include <string>

namespace moewb {

// The message of `error` on one line: a LibTorch error without its backtrace, any text cut
// before a backtrace ("Exception raised from …", "frame #…") and its line breaks joined.
std::string errorText(const std::exception& error);
// The same for a message text.
std::string errorText(const std::string& message);

// Whether `error` comes from LibTorch (c10::Error and its kinds): an input core did not check.
bool isTorchError(const std::exception& error);

}  // namespace moewb
