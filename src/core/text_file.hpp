#pragma once
// Whole text files. Writing: to PATH.tmp, then renamed into place so a reader never sees half of
// it. Reading: the whole file, where a directory or a failed read is an error rather than empty
// text. An Error names the path and what failed (open, read, write — e.g. a full disk — or the
// rename) with the system's reason.
#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace tg4::core {

Status write_text_file(const std::filesystem::path& path, const std::string& text);
// "<path>: is a directory", "<path>: cannot open for reading: No such file or directory", ...
Result<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace tg4::core
