#include "core/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tg4::core {
namespace {

// ": <the system's reason>" when the failed call left one in errno.
std::string reason_suffix() {
  return errno != 0 ? std::string(": ") + std::strerror(errno) : std::string();
}

}  // namespace

Status write_text_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error::of(path.string() + ": cannot open for writing");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return Error::of(path.string() + ": write failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::of(path.string() + ": cannot move the written file into place: " + ec.message());
  return {};
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
  // A directory opens as a stream on Linux and then reads as nothing: without this check it would
  // pass for an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error::of(path.string() + ": is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::of(path.string() + ": cannot open for reading" + reason_suffix());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Error::of(path.string() + ": read failed" + reason_suffix());
  }
  return text.str();
}

}  // namespace tg4::core
