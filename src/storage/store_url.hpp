#pragma once
// Store URLs (SPEC §12 `--store`): `sqlite:PATH` or `postgresql://…`. Parsing checks the form
// before any connection is tried, and every message shows the URL with its password replaced by
// ***.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tg4::storage {

enum class Backend { kSqlite, kPostgres };

struct StoreUrl {
  Backend backend = Backend::kSqlite;
  std::string path;      // SQLite file (":memory:" for an in-memory database)
  std::string url;       // as given (PostgreSQL: what libpq receives)
  std::string redacted;  // for messages and logs
};

core::Result<StoreUrl> parse_store_url(std::string_view url);

// `scheme://user:secret@host/db?password=x` -> `scheme://user:***@host/db?password=***`.
std::string redact_url(std::string_view url);

// Replaces every occurrence of the URL's password in `text` (e.g. a driver message that echoes it).
std::string scrub_password(std::string text, std::string_view url);

}  // namespace tg4::storage
