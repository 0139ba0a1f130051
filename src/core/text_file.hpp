#pragma once
// Writing a whole text file so a reader never sees half of it: written to PATH.tmp, then renamed into
// place. An Error names the path and what failed (open, write — e.g. a full disk — or the rename).
#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace tg4::core {

Status write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace tg4::core
