#pragma once
// The numbered migrations of sql/, embedded at build time (embed_sql.cmake). Each backend has its
// own folder (sql/sqlite, sql/postgres) because the column types differ (exact decimals are TEXT in
// SQLite, NUMERIC in PostgreSQL); sql/postgres/timescaledb holds what runs only when that extension
// is present.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tg4::storage {

struct SqlFile {
  std::string_view path;  // relative to sql/, e.g. "postgres/0001_init.sql"
  std::string_view text;
};

// Defined in the generated embedded_sql.cpp.
std::span<const SqlFile> embedded_sql_files();

struct Migration {
  std::string
      version;  // recorded in schema_migrations, e.g. "0001_init", "timescaledb/0001_hypertables"
  std::string path;  // "sql/postgres/0001_init.sql", for messages
  std::string_view sql;
  std::string checksum;  // CRC32 of the text, hex: a changed applied migration is reported
};

// Migrations directly in sql/<folder>/, in version order; `version_prefix` is put before each name.
std::vector<Migration> migrations_in(std::string_view folder, std::string_view version_prefix = {});

}  // namespace tg4::storage
