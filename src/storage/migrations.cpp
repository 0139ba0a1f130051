#include "storage/migrations.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

namespace tg4::storage {

std::vector<Migration> migrations_in(std::string_view folder, std::string_view version_prefix) {
  std::vector<Migration> out;
  const std::string prefix = std::string(folder) + "/";
  for (const auto& file : embedded_sql_files()) {
    if (file.path.substr(0, prefix.size()) != prefix) continue;
    const auto name = file.path.substr(prefix.size());
    if (name.find('/') != std::string_view::npos) continue;  // a sub-folder: another track
    if (name.size() < 4 || name.substr(name.size() - 4) != ".sql") continue;
    Migration m;
    m.version = std::string(version_prefix) + std::string(name.substr(0, name.size() - 4));
    m.path = "sql/" + std::string(file.path);
    m.sql = file.text;
    const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(file.text.data()),
                           static_cast<uInt>(file.text.size()));
    m.checksum = fmt::format("{:08x}", crc);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

}  // namespace tg4::storage
