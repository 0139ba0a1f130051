// `tg4 record --out FILE [--symbols …] [--channels …] [--url URL] [--duration S]` (SPEC §12): every
// WebSocket frame exactly as received, one per line (JSONL), through the same kraken::Feed the
// trading node uses, so the deadline, reconnects with backoff and resubscription apply while
// recording. Stops on SIGINT/SIGTERM or after --duration, flushing the file; prints a JSON summary
// on stdout. Defaults come from the config (symbols, feed.url, book depth, deadline, backoff).
#include <fmt/ranges.h>
#include <pthread.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/feed_source.hpp"
#include "core/logging.hpp"
#include "kraken/feed.hpp"

namespace tg4::app {
namespace {

struct RecordArgs {
  std::string out;
  std::vector<std::string> symbols;
  std::string channels;
  std::string url;
  double duration = 0;  // seconds; 0 = until a signal
  std::string ca_file;
};

// The output file: frames appended from the feed's thread, flushed at least once a second so a
// crash loses little, and on close.
class FrameFile {
 public:
  bool open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) return false;
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return true;
  }
  ~FrameFile() { close(); }

  void write(std::string_view frame) {
    std::lock_guard lock(mutex_);
    if (file_ == nullptr) return;
    // JSON has no raw line breaks inside strings; outside them they are whitespace, so a space
    // keeps one frame per line and parses the same.
    if (frame.find_first_of("\r\n") != std::string_view::npos) {
      std::string flat(frame);
      for (auto& c : flat) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      ++flattened_;
      append(flat);
    } else {
      append(frame);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ >= std::chrono::seconds(1)) {
      std::fflush(file_);
      last_flush_ = now;
    }
  }

  // False when anything failed to reach the file.
  bool close() {
    std::lock_guard lock(mutex_);
    if (file_ == nullptr) return ok_;
    ok_ = std::fflush(file_) == 0 && ok_;
    ok_ = std::fclose(file_) == 0 && ok_;
    file_ = nullptr;
    return ok_;
  }
  std::uint64_t frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::uint64_t bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }
  std::uint64_t flattened() const {
    std::lock_guard lock(mutex_);
    return flattened_;
  }

 private:
  void append(std::string_view line) {
    ok_ = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && ok_;
    ok_ = std::fputc('\n', file_) != EOF && ok_;
    ++frames_;
    bytes_ += line.size() + 1;
  }

  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool ok_ = true;
  std::uint64_t frames_ = 0, bytes_ = 0, flattened_ = 0;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

// Waits for SIGINT/SIGTERM (blocked in this thread before the feed's thread exists, so only this
// wait sees them) or the end of `duration`; returns the signal, or 0 when the time ran out.
int wait_for_stop(const sigset_t& signals, double duration) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration);
  for (;;) {
    timespec slice{0, 200'000'000};
    if (duration > 0) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return 0;
      if (left < std::chrono::milliseconds(200)) {
        slice.tv_nsec = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      }
    }
    const int sig = sigtimedwait(&signals, nullptr, &slice);
    if (sig > 0) return sig;
  }
}

int run_record(const CommandContext& ctx, const RecordArgs& a) {
  const auto config = load_config(ctx.globals, std::cerr);
  if (!config) return kExitUsage;
  kraken::FeedOptions options = feed_options_from_config(*config, a.url);
  if (!a.symbols.empty()) options.symbols = a.symbols;
  if (!a.channels.empty()) {
    auto channels = kraken::FeedChannels::parse(a.channels);
    if (!channels) return usage_error("record", "--" + channels.error().message);
    options.channels = *channels;
  }
  if (!a.ca_file.empty()) options.tls.ca_file = a.ca_file;
  if (a.duration < 0) return usage_error("record", "--duration must not be negative");
  if (auto valid = options.validate(); !valid) return usage_error("record", valid.error().message);

  FrameFile file;
  if (!file.open(a.out)) {
    return usage_error("record", "--out: cannot write '" + a.out + "': " + std::strerror(errno));
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto log = core::logger("record");
  kraken::Feed feed(options, nullptr, nullptr, core::logger("feed"));
  feed.set_raw_sink([&file](std::string_view frame, core::Timestamp) { file.write(frame); });
  if (auto started = feed.start(); !started) return usage_error("record", started.error().message);
  log->info("recording {} for {} to {}; stop with Ctrl-C", options.channels.to_string(),
            fmt::join(options.symbols, ","), a.out);

  const int sig = wait_for_stop(signals, a.duration);
  log->info("{}, stopping", sig == 0 ? "duration reached"
                                     : (sig == SIGINT ? "SIGINT received" : "SIGTERM received"));
  feed.stop();
  const bool written = file.close();
  const int write_errno = errno;  // the recording's failed write, before logging can change it
  const auto stats = feed.stats();
  if (file.flattened() > 0)
    log->warn("{} frames contained line breaks, written with spaces", file.flattened());

  boost::json::object summary{{"file", a.out},
                              {"frames", file.frames()},
                              {"bytes", file.bytes()},
                              {"connects", stats.connects},
                              {"reconnects", stats.reconnects},
                              {"stalls", stats.stalls},
                              {"parse_errors", stats.parse_errors},
                              {"rate_limited", stats.rate_limited},
                              {"book_snapshots", stats.book_snapshots}};
  const bool shown = write_stdout("record", "the summary", boost::json::serialize(summary) + "\n");
  if (!written) {
    std::cerr << "tg4 record: writing '" << a.out << "' failed: " << std::strerror(write_errno) << "\n";
    return kExitFailure;
  }
  return shown ? kExitOk : kExitFailure;
}

}  // namespace

void add_record_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<RecordArgs>();
  CLI::App* cmd = add_command(root, ctx, "record", "Record raw WebSocket frames to a JSONL file",
                              [&ctx, args] { return run_record(ctx, *args); });
  auto& a = *args;
  cmd->add_option("--out", a.out, "Output file: one frame per line, exactly as received")
      ->required();
  cmd->add_option("--symbols", a.symbols,
                  "Pairs in WS v2 form, e.g. BTC/USD,ETH/USD (default: config symbols)")
      ->delimiter(',');
  cmd->add_option("--channels", a.channels,
                  "Channels, e.g. book:25,trade,ticker,ohlc:1:5,instrument,status or all (default: "
                  "from config)");
  cmd->add_option("--url", a.url, "WebSocket URL (default: feed.url, wss://ws.kraken.com/v2)");
  cmd->add_option("--duration", a.duration, "Stop after this many seconds (default: until Ctrl-C)");
  cmd->add_option("--ca-file", a.ca_file,
                  "Also trust this CA certificate (PEM), e.g. tg4 sim --tls's");
}

}  // namespace tg4::app
