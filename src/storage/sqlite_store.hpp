#pragma once
// SqliteStore: the embedded default (`sqlite:PATH`). One file in WAL mode, so readers on their own
// connections never wait for the writer. Batches are written with cached multi-row prepared INSERTs
// in one transaction; exact decimals are TEXT and times INTEGER nanoseconds.
#include <memory>
#include <string>
#include <unordered_map>

#include "storage/sql_store.hpp"
#include "storage/store_url.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tg4::storage {

class SqliteStore final : public SqlStore {
 public:
  // `create` false: a file that does not exist is an error, nothing is created (readers).
  static core::Result<std::unique_ptr<SqliteStore>> open(const StoreUrl& url,
                                                         std::shared_ptr<spdlog::logger> log,
                                                         bool create = true);
  // For readers only: nothing is created or written (no WAL switch). A file in WAL mode whose
  // folder the process may not write (no -shm can be made) is read as immutable.
  static core::Result<std::unique_ptr<SqliteStore>> open_read_only(
      const StoreUrl& url, std::shared_ptr<spdlog::logger> log);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::string_view backend() const override { return "sqlite"; }
  core::Status write(const Batch& batch) override;
  bool last_failure_transient() const override { return last_failure_transient_; }

  core::Result<ResultSet> query(const std::string& sql, const std::vector<Param>& params) override;
  core::Status exec_script(std::string_view sql) override;

 protected:
  std::string time_column(std::string_view expr) const override { return std::string(expr); }
  core::Result<std::vector<core::Bar>> rolled_up_bars(const std::string& symbol, int minutes,
                                                      core::Timestamp from,
                                                      core::Timestamp to) override;
  std::string_view migration_folder() const override { return "sqlite"; }
  std::string_view begin_migration_sql() const override { return "BEGIN IMMEDIATE"; }

 private:
  struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const;
  };
  using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

  SqliteStore(sqlite3* db, std::string redacted_url, std::shared_ptr<spdlog::logger> log);
  core::Result<sqlite3_stmt*> prepare(const std::string& sql);
  template <typename RowT>
  core::Status insert_rows(const std::vector<RowT>& rows);
  core::Error failure(std::string_view what, int rc);

  sqlite3* db_;
  std::unordered_map<std::string, Statement> statements_;
  bool last_failure_transient_ = false;
};

}  // namespace tg4::storage
