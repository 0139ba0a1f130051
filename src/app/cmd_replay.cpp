// `tg4 replay FILE [--bars-out CSV]` (SPEC §12): recorded frames (JSONL, one WebSocket frame per
// line, exactly as received) through the codec, the order books and the bar aggregator; a JSON
// summary on stdout. A missing or unreadable file is a usage error (exit 2); a line that does not
// parse is counted and the first few are reported on stderr with their line numbers.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "core/events.hpp"
#include "kraken/frame_replay.hpp"

namespace tg4::app {
namespace {

struct ReplayArgs {
  std::string file;
  std::string bars_out;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

// Calls `line_fn(text, number)` for each line of `file`, read in large blocks (a line may span
// blocks). Returns false with `error` set when the file cannot be read.
template <typename Fn>
bool for_each_line(std::FILE* file, Fn&& line_fn, std::string& error) {
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> block(kBlock);
  std::string carry;  // the unfinished line of the previous block
  std::uint64_t number = 0;
  for (;;) {
    const std::size_t n = std::fread(block.data(), 1, block.size(), file);
    if (n == 0) break;
    std::size_t start = 0;
    for (;;) {
      const void* nl = std::memchr(block.data() + start, '\n', n - start);
      if (nl == nullptr) break;
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - block.data());
      ++number;
      if (carry.empty()) {
        line_fn(std::string_view(block.data() + start, end - start), number);
      } else {
        carry.append(block.data() + start, end - start);
        line_fn(std::string_view(carry), number);
        carry.clear();
      }
      start = end + 1;
    }
    carry.append(block.data() + start, n - start);
  }
  if (std::ferror(file) != 0) {
    error = std::strerror(errno);
    return false;
  }
  if (!carry.empty()) line_fn(std::string_view(carry), ++number);
  return true;
}

class BarsCsv {
 public:
  bool open(const std::string& path) {
    out_.open(path, std::ios::out | std::ios::trunc);
    if (!out_) return false;
    // The candle CSV columns first (SPEC §12), then what identifies and completes the bar.
    out_ << "timestamp,open,high,low,close,volume,symbol,interval,quote_volume,trades,vwap\n";
    return true;
  }
  void write(const core::Bar& b) {
    if (b.interval_minutes != 1) return;  // the 1-minute series; roll-ups derive from it
    out_ << b.open_time.seconds() << ',' << b.open << ',' << b.high << ',' << b.low << ','
         << b.close << ',' << b.volume << ',' << b.symbol << ',' << b.interval_minutes << ','
         << b.quote_volume << ',' << b.trades << ',' << b.vwap << '\n';
  }
  bool close() {
    out_.close();
    return !out_.fail();
  }

 private:
  std::ofstream out_;
};

int run_replay(const ReplayArgs& a) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(a.file.c_str(), "rb"));
  if (!file) {
    std::cerr << "tg4 replay: cannot open '" << a.file << "': " << std::strerror(errno)
              << " (expected a JSONL file of recorded frames, e.g. from tg4 record)\n";
    return kExitUsage;
  }
  BarsCsv csv;
  if (!a.bars_out.empty() && !csv.open(a.bars_out)) {
    std::cerr << "tg4 replay: --bars-out: cannot write '" << a.bars_out
              << "': " << std::strerror(errno) << "\n";
    return kExitUsage;
  }
  kraken::FrameReplay replay(a.bars_out.empty() ? market::BarAggregator::BarSink{}
                                                : [&csv](const core::Bar& bar) { csv.write(bar); });
  std::string error;
  if (!for_each_line(
          file.get(),
          [&](std::string_view line, std::uint64_t number) { replay.feed(line, number); }, error)) {
    std::cerr << "tg4 replay: reading '" << a.file << "': " << error << "\n";
    return kExitUsage;
  }
  for (const auto& e : replay.first_errors()) {
    std::cerr << "tg4 replay: " << a.file << ":" << e.line << ": " << e.message << "\n";
  }
  const auto& s = replay.summary();
  if (s.parse_errors > replay.first_errors().size()) {
    std::cerr << "tg4 replay: " << s.parse_errors - replay.first_errors().size()
              << " more lines did not parse\n";
  }
  if (!a.bars_out.empty() && !csv.close()) {
    std::cerr << "tg4 replay: --bars-out: writing '" << a.bars_out << "' failed\n";
    return kExitFailure;
  }
  return write_stdout("replay", "the summary", replay.summary_json() + "\n") ? kExitOk : kExitFailure;
}

}  // namespace

void add_replay_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = add_command(
      root, ctx, "replay", "Replay recorded frames through the codec, books and bars; JSON summary",
      [args] { return run_replay(*args); });
  cmd->add_option("FILE", args->file, "Recorded frames, one per line (JSONL)")->required();
  cmd->add_option("--bars-out", args->bars_out, "Write the closed 1-minute bars to this CSV file");
}

}  // namespace tg4::app
