#include "storage/spool.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <system_error>

namespace tg4::storage {
namespace {

std::uint32_t crc_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put_u32(char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
}
std::uint32_t get_u32(const char* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

std::string errno_text() {
  return std::strerror(errno);
}

// Reads exactly n bytes at offset; false on a short read or error.
bool read_at(int fd, char* out, std::size_t n, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

bool write_at(int fd, const char* data, std::size_t n, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t put = ::pwrite(fd, data + done, n - done, static_cast<off_t>(offset + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      if (put == 0) errno = EIO;
      return false;
    }
    done += static_cast<std::size_t>(put);
  }
  return true;
}

std::uint64_t file_size(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

core::Result<std::unique_ptr<Spool>> Spool::open(std::filesystem::path path,
                                                 std::shared_ptr<spdlog::logger> log) {
  if (!log) log = spdlog::default_logger();
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return core::Error::of(
        fmt::format("spool {}: cannot create its folder: {}; set a writable spool path",
                    path.string(), ec.message()));
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return core::Error::of(fmt::format("spool {}: cannot open: {}; set a writable spool path",
                                       path.string(), errno_text()));
  }
  std::unique_ptr<Spool> spool(new Spool(std::move(path), fd, std::move(log)));
  if (auto s = spool->scan(); !s) return s.error();
  return spool;
}

Spool::Spool(std::filesystem::path path, int fd, std::shared_ptr<spdlog::logger> log)
    : path_(std::move(path)), fd_(fd), log_(std::move(log)) {}

Spool::~Spool() {
  ::close(fd_);
}

core::Status Spool::scan() {
  const std::uint64_t size = file_size(fd_);
  head_ = 0;
  {
    std::ifstream head_file(path_.string() + ".head");
    std::uint64_t saved = 0;
    if (head_file >> saved && saved <= size) head_ = saved;
  }
  // Trust the saved head only if a record starts there; otherwise replay from the start (duplicates
  // are harmless, losses are not).
  if (head_ > 0 && head_ < size) {
    char header[kHeaderBytes];
    if (!read_at(fd_, header, kHeaderBytes, head_) || get_u32(header) != kMagic) {
      log_->warn("spool {}: saved head {} is not at a record; replaying from the start",
                 path_.string(), head_);
      head_ = 0;
    }
  }
  std::uint64_t offset = head_;
  records_ = 0;
  std::string payload;
  while (offset < size) {
    char header[kHeaderBytes];
    std::string reason;
    if (size - offset < kHeaderBytes || !read_at(fd_, header, kHeaderBytes, offset)) {
      reason = fmt::format("torn record header ({} of {} bytes)", size - offset, kHeaderBytes);
    } else if (get_u32(header) != kMagic) {
      reason = "bad record magic";
    } else {
      const std::uint32_t length = get_u32(header + 4);
      if (length > kMaxRecordBytes || length > size - offset - kHeaderBytes) {
        reason = fmt::format("torn record: length {} runs past the end of the file", length);
      } else {
        payload.resize(length);
        if (!read_at(fd_, payload.data(), length, offset + kHeaderBytes)) {
          reason = fmt::format("unreadable record: {}", errno_text());
        } else if (crc_of(payload) != get_u32(header + 8)) {
          reason = "record checksum mismatch";
        } else {
          offset += kHeaderBytes + length;
          ++records_;
          continue;
        }
      }
    }
    if (auto s = quarantine_tail(offset, reason); !s) return s;
    break;
  }
  end_ = offset;
  if (records_ > 0) {
    log_->warn("spool {}: {} batches ({} bytes) left by a previous run will be replayed first",
               path_.string(), records_, end_ - head_);
  }
  return {};
}

core::Status Spool::quarantine_tail(std::uint64_t offset, const std::string& reason) {
  const std::uint64_t size = file_size(fd_);
  const auto stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const std::string aside = fmt::format("{}.corrupt-{}", path_.string(), stamp);
  std::string tail(size - offset, '\0');
  if (!read_at(fd_, tail.data(), tail.size(), offset)) {
    return core::Error::of(
        fmt::format("spool {}: {} at byte {}, and the damaged tail cannot be read: {}",
                    path_.string(), reason, offset, errno_text()));
  }
  const int out = ::open(aside.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const bool saved = out >= 0 && write_at(out, tail.data(), tail.size(), 0) && ::fsync(out) == 0;
  if (out >= 0) ::close(out);
  if (!saved) {
    return core::Error::of(
        fmt::format("spool {}: {} at byte {}, and the damaged tail could not be set aside in "
                    "{}: {}; the spool was left as it is",
                    path_.string(), reason, offset, aside, errno_text()));
  }
  if (::ftruncate(fd_, static_cast<off_t>(offset)) != 0 || ::fsync(fd_) != 0) {
    return core::Error::of(fmt::format("spool {}: cannot cut the damaged tail at byte {}: {}",
                                       path_.string(), offset, errno_text()));
  }
  const std::string message = fmt::format(
      "spool {}: {} at byte {}; the {} bytes from there were NOT replayed and were moved to {} for "
      "inspection (the {} records before it replay normally)",
      path_.string(), reason, offset, tail.size(), aside, records_);
  log_->error("{}", message);
  problems_.push_back(message);
  return {};
}

core::Status Spool::append(std::string_view payload) {
  if (payload.size() > kMaxRecordBytes) {
    return core::Error::of(fmt::format("spool {}: a batch of {} bytes exceeds the record limit",
                                       path_.string(), payload.size()));
  }
  std::string record(kHeaderBytes + payload.size(), '\0');
  put_u32(record.data(), kMagic);
  put_u32(record.data() + 4, static_cast<std::uint32_t>(payload.size()));
  put_u32(record.data() + 8, crc_of(payload));
  std::memcpy(record.data() + kHeaderBytes, payload.data(), payload.size());
  if (!write_at(fd_, record.data(), record.size(), end_) || ::fdatasync(fd_) != 0) {
    const std::string why = errno_text();
    (void)::ftruncate(fd_,
                      static_cast<off_t>(end_));  // a partial record must not precede later appends
    return core::Error::of(fmt::format("spool {}: cannot write a batch: {}", path_.string(), why));
  }
  end_ += record.size();
  ++records_;
  return {};
}

core::Result<std::optional<std::string>> Spool::front() {
  front_length_.reset();
  if (empty()) return std::optional<std::string>{};
  char header[kHeaderBytes];
  if (!read_at(fd_, header, kHeaderBytes, head_)) {
    return core::Error::of(fmt::format("spool {}: cannot read the record at byte {}: {}",
                                       path_.string(), head_, errno_text()));
  }
  const std::uint32_t length = get_u32(header + 4);
  if (get_u32(header) != kMagic || length > end_ - head_ - kHeaderBytes) {
    return core::Error::of(
        fmt::format("spool {}: the record at byte {} changed on disk", path_.string(), head_));
  }
  std::string payload(length, '\0');
  if (!read_at(fd_, payload.data(), length, head_ + kHeaderBytes) ||
      crc_of(payload) != get_u32(header + 8)) {
    return core::Error::of(
        fmt::format("spool {}: the record at byte {} fails its checksum", path_.string(), head_));
  }
  front_length_ = length;
  return std::optional<std::string>{std::move(payload)};
}

core::Status Spool::pop() {
  if (!front_length_)
    return core::Error::of(fmt::format("spool {}: pop() without front()", path_.string()));
  head_ += kHeaderBytes + *front_length_;
  front_length_.reset();
  if (records_ > 0) --records_;
  if (head_ >= end_) {
    // All replayed: start over with an empty file. The head file goes first (and durably), so a
    // crash in between can only replay everything again, never trust an old head against new
    // records.
    head_ = 0;
    save_head();
    if (const int dir = ::open(path_.has_parent_path() ? path_.parent_path().c_str() : ".",
                               O_RDONLY | O_CLOEXEC);
        dir >= 0) {
      (void)::fsync(dir);
      ::close(dir);
    }
    if (::ftruncate(fd_, 0) != 0) {
      return core::Error::of(
          fmt::format("spool {}: cannot truncate after replay: {}", path_.string(), errno_text()));
    }
    head_ = end_ = 0;
    records_ = 0;
  }
  save_head();
  return {};
}

void Spool::save_head() {
  const std::string head_path = path_.string() + ".head";
  if (head_ == 0) {
    std::error_code ec;
    std::filesystem::remove(head_path, ec);
    return;
  }
  std::ofstream out(head_path, std::ios::trunc);
  out << head_;
}

}  // namespace tg4::storage
