// Loading a backtest's market data once: a candles CSV, recorded frames, or bars from the store.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "backtest/backtest.hpp"
#include "core/instrument.hpp"
#include "kernel/event.hpp"
#include "kraken/codec.hpp"
#include "market/bar_aggregator.hpp"
#include "market/candles_csv.hpp"
#include "storage/store.hpp"
#include "storage/store_url.hpp"

namespace tg4::backtest {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

core::Status check_symbol(const std::string& symbol, const std::string& where) {
  if (!core::split_symbol(symbol)) {
    return core::Error::of(where + ": symbol '" + symbol + "' is not BASE/QUOTE (e.g. BTC/USDT)");
  }
  return {};
}

// Parses each frame once into the events the live feed would post; records the book depth of the
// subscription (acks, else the largest snapshot) so the pipeline keeps books as deep as recorded.
class FrameCollector final : public kraken::FrameSink {
 public:
  explicit FrameCollector(MarketData& data) : data_(data) {}
  void on_book(const core::BookDelta& delta) override {
    if (delta.is_snapshot) {
      snapshot_depth_ = std::max(snapshot_depth_, std::max(delta.bids.size(), delta.asks.size()));
    }
    data_.events.emplace_back(delta);
  }
  void on_trade(const core::Trade& trade) override { data_.events.emplace_back(trade); }
  void on_ohlc(const core::Ohlc& ohlc) override { data_.events.emplace_back(ohlc); }
  void on_instrument(const core::InstrumentUpdate& update) override {
    data_.events.emplace_back(update);
  }
  void on_method(const kraken::MethodResponse& r) override {
    if (r.method == "subscribe" && r.success && r.channel == "book" && r.depth)
      ack_depth_ = std::max(ack_depth_, *r.depth);
  }
  int book_depth() const {
    if (ack_depth_ > 0) return ack_depth_;
    for (const int d : {10, 25, 100, 500, 1000}) {
      if (snapshot_depth_ <= static_cast<std::size_t>(d)) return d;
    }
    return 1000;
  }

 private:
  MarketData& data_;
  int ack_depth_ = 0;
  std::size_t snapshot_depth_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

core::Result<MarketData> load_frames(const DataSource& source) {
  const std::string name = source.path.string();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
  if (!file) return core::Error::of(name + ": cannot open for reading: " + std::strerror(errno));
  MarketData data;
  data.kind = DataKind::kFrames;
  FrameCollector collector(data);
  kraken::FrameParser parser;
  std::string line;
  std::uint64_t number = 0;
  char block[1 << 16];
  std::string carry;
  auto feed = [&](std::string_view frame) -> core::Status {
    ++number;
    while (!frame.empty() && (frame.back() == '\r' || frame.back() == '\n')) frame.remove_suffix(1);
    if (frame.find_first_not_of(" \t") == std::string_view::npos) return {};
    ++data.frames;
    auto kind = parser.parse(frame, core::Timestamp{}, collector);
    if (!kind) return core::Error::of(fmt::format("{}:{}: {}", name, number, kind.error().message));
    return {};
  };
  for (;;) {
    const std::size_t n = std::fread(block, 1, sizeof block, file.get());
    if (n == 0) break;
    std::string_view chunk(block, n);
    for (;;) {
      const auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) break;
      core::Status s;
      if (carry.empty()) {
        s = feed(chunk.substr(0, nl));
      } else {
        carry.append(chunk.substr(0, nl));
        s = feed(carry);
        carry.clear();
      }
      if (!s) return s.error();
      chunk.remove_prefix(nl + 1);
    }
    carry.append(chunk);
  }
  if (std::ferror(file.get()) != 0)
    return core::Error::of(name + ": read failed: " + std::strerror(errno));
  if (!carry.empty()) {
    if (auto s = feed(carry); !s) return s.error();
  }
  if (data.events.empty())
    return core::Error::of(
        name + ": no market events (expected recorded Kraken WS v2 frames, one per line)");
  data.book_depth = collector.book_depth();
  std::set<std::string> symbols;
  for (const auto& e : data.events) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, core::Ohlc>) {
            symbols.insert(x.bar.symbol);
          } else if constexpr (std::is_same_v<T, core::InstrumentUpdate>) {
            // instruments name pairs that may not trade in the recording
          } else if constexpr (requires { x.symbol; }) {
            symbols.insert(x.symbol);
          }
        },
        e);
  }
  data.description = fmt::format("frames {} ({} frames, {} events, {})", name, data.frames,
                                 data.events.size(), fmt::join(symbols, ", "));
  return data;
}

// Candle files carry no interval: the smallest gap between rows is the interval, and it must be one
// the bar aggregator rebuilds (1m or a roll-up width), with every row on its bucket boundary.
core::Status check_candle_interval(const std::vector<core::Bar>& bars, int minutes,
                                   const std::string& where) {
  if (minutes != 1 && std::find(market::kRollupMinutes.begin(), market::kRollupMinutes.end(),
                                minutes) == market::kRollupMinutes.end()) {
    return core::Error::of(
        fmt::format("{}: candle interval {} minutes is not one the bar aggregator builds "
                    "(1, {})",
                    where, minutes, fmt::join(market::kRollupMinutes, ", ")));
  }
  for (const auto& bar : bars) {
    if (market::bucket_start(bar.open_time, minutes) != bar.open_time) {
      return core::Error::of(fmt::format("{}: candle at {} is not on a {}-minute bucket boundary",
                                         where, core::format_rfc3339(bar.open_time, 0), minutes));
    }
  }
  return {};
}

core::Result<MarketData> load_csv(const DataSource& source) {
  const std::string name = source.path.string();
  if (source.symbols.size() != 1) {
    return core::Error::of(
        name + ": a candles CSV holds one symbol: name it with --symbol (e.g. --symbol BTC/USDT)");
  }
  const std::string& symbol = source.symbols.front();
  if (auto s = check_symbol(symbol, name); !s) return s.error();
  market::CandleReadOptions options;
  options.symbol = symbol;
  options.check_spacing = false;  // checked below, once the interval is known
  auto file = market::read_candles_csv(source.path, options);
  if (!file) return file.error();
  std::vector<core::Bar>& bars = file->bars;
  if (bars.empty()) return core::Error::of(name + ": no candles");
  int minutes =
      source.timeframe_minutes > 0 ? source.timeframe_minutes : detect_interval_minutes(bars);
  if (minutes == 0) minutes = std::max(1, market::interval_from_file_name(source.path));
  core::Status problem = check_candle_interval(bars, minutes, name);
  for (std::size_t i = 1; problem && i < bars.size(); ++i) {
    if (bars[i].open_time <= bars[i - 1].open_time) {
      problem = core::Error::of(
          fmt::format("{}: candle at {} is not after the previous one (rows must be in time order)",
                      name, core::format_rfc3339(bars[i].open_time, 0)));
    }
  }
  if (!problem) {
    // Read again with the reader's own spacing check, whose error names the line.
    options.interval_minutes = minutes;
    options.check_spacing = true;
    if (auto again = market::read_candles_csv(source.path, options); !again) return again.error();
    return problem.error();
  }
  for (auto& bar : bars) bar.interval_minutes = minutes;
  MarketData data;
  data.kind = DataKind::kCandlesCsv;
  data.interval_minutes = minutes;
  data.description =
      fmt::format("candles {} ({}, {}m, {} bars)", name, symbol, minutes, bars.size());
  data.bars.push_back(SymbolBars{symbol, std::move(bars)});
  return data;
}

core::Result<MarketData> load_store(const DataSource& source, bool& store_failed) {
  if (source.symbols.empty())
    return core::Error::of("--data store:SYMBOLS: name at least one symbol (store:BTC/USDT)");
  for (const auto& symbol : source.symbols) {
    const std::string where =
        fmt::format("store {} symbol {}", storage::redact_url(source.store_url), symbol);
    if (auto s = check_symbol(symbol, where); !s) return s.error();
  }
  storage::OpenOptions open;
  open.migrate = false;
  open.create = false;    // reading a store that is not there must not leave an empty one behind
  open.read_only = true;  // a read-only copy of a store is enough for a backtest
  auto store = storage::open_store(source.store_url, open);
  if (!store) {
    store_failed = true;
    return store.error();
  }
  const int minutes = source.timeframe_minutes > 0 ? source.timeframe_minutes : 1;
  MarketData data;
  data.kind = DataKind::kStore;
  data.interval_minutes = minutes;
  storage::TimeRange range;
  if (source.from.is_set()) range.from = source.from;
  if (source.to.is_set()) range.to = source.to;
  std::size_t total = 0;
  for (const auto& symbol : source.symbols) {
    const std::string where = fmt::format("store {} symbol {}", (*store)->url(), symbol);
    auto bars = (*store)->bars(symbol, minutes, range);
    if (!bars) {
      store_failed = true;
      return core::Error::of(where + ": " + bars.error().message);
    }
    // A rolled-up bucket is a closed candle only when the stored minutes reach its end.
    if (minutes > 1) {
      auto newest = (*store)->newest_bar_times();
      if (!newest) {
        store_failed = true;
        return core::Error::of(where + ": " + newest.error().message);
      }
      const auto it = newest->find(symbol);
      const core::Timestamp covered =
          it == newest->end() ? core::Timestamp{} : it->second + std::chrono::minutes(1);
      while (!bars->empty() && bars->back().open_time + std::chrono::minutes(minutes) > covered)
        bars->pop_back();
    }
    if (bars->empty()) {
      return core::Error::of(where + ": no " + storage::timeframe_name(minutes) +
                             " bars in the window (backfill first: tg4 backfill --symbols " +
                             symbol + ")");
    }
    for (auto& bar : *bars) {
      bar.symbol = symbol;
      bar.interval_minutes = minutes;
    }
    if (auto s = check_candle_interval(*bars, minutes, where); !s) return s.error();
    total += bars->size();
    data.bars.push_back(SymbolBars{symbol, std::move(*bars)});
  }
  data.description =
      fmt::format("store {} ({}, {}, {} bars)", (*store)->url(), fmt::join(source.symbols, ", "),
                  storage::timeframe_name(minutes), total);
  return data;
}

}  // namespace

core::Result<DataSource> parse_data_source(const std::string& text, const std::string& symbol,
                                           const std::string& store_url) {
  DataSource source;
  if (text.empty())
    return core::Error::of("--data: empty (a candles CSV, a frames .jsonl file, or store:SYMBOLS)");
  if (text.rfind("store:", 0) == 0) {
    source.kind = DataKind::kStore;
    source.store_url = store_url;
    std::string_view rest = std::string_view(text).substr(6);
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
      auto tf = storage::parse_timeframe(rest.substr(at + 1));
      if (!tf) return core::Error::of("--data " + text + ": " + tf.error().message);
      source.timeframe_minutes = *tf;
      rest = rest.substr(0, at);
    }
    source.symbols = core::split_symbol_list(rest);
    if (source.symbols.empty())
      return core::Error::of("--data " + text + ": name the symbols (store:BTC/USDT,XRP/USDT)");
    return source;
  }
  source.path = text;
  if (ends_with(text, ".jsonl") || ends_with(text, ".ndjson") || ends_with(text, ".jsonl.txt")) {
    source.kind = DataKind::kFrames;
    return source;
  }
  source.kind = DataKind::kCandlesCsv;
  if (!symbol.empty()) source.symbols = {symbol};
  return source;
}

int detect_interval_minutes(const std::vector<core::Bar>& bars) {
  std::int64_t gap = 0;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const std::int64_t d = bars[i].open_time.ns - bars[i - 1].open_time.ns;
    if (d > 0 && (gap == 0 || d < gap)) gap = d;
  }
  if (gap == 0) return 0;
  return static_cast<int>(std::max<std::int64_t>(1, gap / kNsPerMinute));
}

core::Result<MarketData> load_market_data(const DataSource& source, bool* store_failed) {
  bool failed = false;
  switch (source.kind) {
    case DataKind::kCandlesCsv:
      return load_csv(source);
    case DataKind::kFrames:
      return load_frames(source);
    case DataKind::kStore: {
      auto data = load_store(source, failed);
      if (store_failed != nullptr) *store_failed = failed;
      return data;
    }
  }
  return core::Error::of("unknown data source kind");
}

std::vector<std::string> MarketData::symbols() const {
  std::set<std::string> out;
  for (const auto& series : bars) out.insert(series.symbol);
  // Recorded events come in runs of one symbol: a set insert only where the symbol changes.
  const std::string* last = nullptr;
  const auto add = [&](const std::string& symbol) {
    if (last == nullptr || *last != symbol) last = &*out.insert(symbol).first;
  };
  for (const auto& e : events) {
    if (const auto* t = std::get_if<core::Trade>(&e)) add(t->symbol);
    if (const auto* b = std::get_if<core::BookDelta>(&e)) add(b->symbol);
    if (const auto* o = std::get_if<core::Ohlc>(&e)) add(o->bar.symbol);
  }
  return {out.begin(), out.end()};
}

core::Timestamp MarketData::first_time() const {
  core::Timestamp first{};
  for (const auto& series : bars) {
    if (!series.bars.empty() && (!first.is_set() || series.bars.front().open_time < first)) {
      first = series.bars.front().open_time;
    }
  }
  for (const auto& e : events) {
    const core::Timestamp t = kernel::event_time(e);
    if (t.is_set()) return t;
  }
  return first;
}

core::Timestamp MarketData::end_time() const {
  core::Timestamp end{};
  for (const auto& series : bars) {
    if (series.bars.empty()) continue;
    const core::Timestamp t = series.bars.back().open_time + std::chrono::minutes(interval_minutes);
    end = std::max(end, t);
  }
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const core::Timestamp t = kernel::event_time(*it);
    if (t.is_set()) return std::max(end, t);
  }
  return end;
}

std::size_t MarketData::event_count() const {
  std::size_t n = events.size();
  for (const auto& series : bars) n += series.bars.size();
  return n;
}

}  // namespace tg4::backtest
