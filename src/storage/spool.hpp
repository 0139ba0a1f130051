#pragma once
// Spool: the writer's disk buffer while the database is unreachable (DESIGN principle 5: a store
// outage spools to disk and replays; nothing is lost). An append-only file of records
//
//   magic "TG4S" (u32 LE) | payload length (u32 LE) | CRC32 of payload (u32 LE) | payload
//
// each fsync'ed before append() returns. Records are consumed from the head in order; the consumed
// offset is kept in PATH.head (a stale head only replays records again, which the store's
// idempotent writes absorb). When everything is consumed the file is truncated to zero.
//
// Opening scans every unconsumed record. A torn or corrupt record (a crash mid-append, a damaged
// disk) ends the usable part: it and everything after it are moved to PATH.corrupt-<time> and the
// problem is logged with the file, offset and byte count, never silently dropped.
#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tg4::storage {

class Spool {
 public:
  static constexpr std::uint32_t kMagic = 0x53344754;  // "TG4S" in little-endian byte order
  static constexpr std::size_t kHeaderBytes = 12;
  static constexpr std::uint32_t kMaxRecordBytes = 1u << 30;

  // Opens (creating folders and the file as needed) and validates what a previous run left.
  static core::Result<std::unique_ptr<Spool>> open(std::filesystem::path path,
                                                   std::shared_ptr<spdlog::logger> log);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends one record and fsyncs it. On failure the file is cut back to its previous end.
  core::Status append(std::string_view payload);
  // The oldest unconsumed record, nullopt when there is none.
  core::Result<std::optional<std::string>> front();
  // Consumes the record front() returned.
  core::Status pop();

  bool empty() const { return head_ >= end_; }
  std::uint64_t bytes() const { return end_ - head_; }  // unconsumed
  std::size_t records() const { return records_; }      // unconsumed
  const std::filesystem::path& path() const { return path_; }
  // What the opening scan found wrong, as logged (empty when the file was clean).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  Spool(std::filesystem::path path, int fd, std::shared_ptr<spdlog::logger> log);
  core::Status scan();
  core::Status quarantine_tail(std::uint64_t offset, const std::string& reason);
  void save_head();

  std::filesystem::path path_;
  int fd_;
  std::shared_ptr<spdlog::logger> log_;
  std::uint64_t head_ = 0;  // first unconsumed byte
  std::uint64_t end_ = 0;   // end of the last valid record
  std::size_t records_ = 0;
  std::optional<std::uint32_t> front_length_;  // payload length of the record front() returned
  std::vector<std::string> problems_;
};

}  // namespace tg4::storage
