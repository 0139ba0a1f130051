// Market data throughput (issue "Kraken market data", benchmarks): parse + apply a book update with
// checksum verification (>= 1 M updates/s on one core), trade frames (>= 3 M/s), a depth-1000
// book's memory (<= 100 KB), and FrameReplay over the recorded simulator sample (the engine of `tg4
// replay`,
// >= 500 k frames/s).
//
//   build/release/market_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "kraken/codec.hpp"
#include "kraken/frame_replay.hpp"
#include "market/book_side.hpp"
#include "market/checksum.hpp"
#include "market/order_book.hpp"

#ifndef TG4_SOURCE_DIR
#define TG4_SOURCE_DIR "."
#endif

namespace {

using namespace tg4;
using core::Decimal;

constexpr int kPricePrecision = 1;
constexpr int kQtyPrecision = 8;

void append_levels(std::string& out, const char* name,
                   const std::vector<core::PriceLevel>& levels) {
  out += '"';
  out += name;
  out += "\":[";
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"price\":" + levels[i].price.to_string(kPricePrecision) +
           ",\"qty\":" + levels[i].qty.to_string(kQtyPrecision) + "}";
  }
  out += ']';
}

std::string book_frame(bool snapshot, const std::vector<core::PriceLevel>& bids,
                       const std::vector<core::PriceLevel>& asks, std::uint32_t checksum) {
  std::string out = std::string(R"({"channel":"book","type":")") +
                    (snapshot ? "snapshot" : "update") + R"(","data":[{"symbol":"BTC/USD",)";
  append_levels(out, "bids", bids);
  out += ',';
  append_levels(out, "asks", asks);
  out += ",\"checksum\":" + std::to_string(checksum) +
         R"(,"timestamp":"2024-01-01T00:00:00.123456Z"}]})";
  return out;
}

// A snapshot and `count` updates as Kraken sends them for a depth-`depth` book: each update changes
// one or two levels near the top (qty changes, inserts, deletes), checksums computed from a
// generator book.
struct BookStream {
  std::string snapshot;
  std::vector<std::string> updates;
};

BookStream make_book_stream(std::size_t depth, std::size_t count) {
  std::mt19937_64 rng(42);
  market::BookSide bids(market::BookSide::Order::kDescending);
  market::BookSide asks(market::BookSide::Order::kAscending);
  bids.reserve(depth);
  asks.reserve(depth);
  bids.clear();
  asks.clear();
  const auto price = [](std::int64_t ticks) {
    return Decimal::from_raw(Decimal::kOne / 10 * ticks);
  };
  const auto qty = [&] {
    return Decimal::from_raw(static_cast<Decimal::Raw>(rng() % 300'000'000 + 1) * 10'000'000'000LL);
  };
  for (std::size_t i = 0; i < depth; ++i) {
    bids.set(price(450'000 - static_cast<std::int64_t>(i) * 3), qty());
    asks.set(price(450'010 + static_cast<std::int64_t>(i) * 3), qty());
  }
  const auto levels = [](const market::BookSide& s) {
    return std::vector<core::PriceLevel>(s.levels().begin(), s.levels().end());
  };
  BookStream out;
  out.snapshot = book_frame(
      true, levels(bids), levels(asks),
      market::book_checksum(asks.levels(), bids.levels(), kPricePrecision, kQtyPrecision));
  for (std::size_t n = 0; n < count; ++n) {
    std::vector<core::PriceLevel> bid_changes, ask_changes;
    const int changes = 1 + static_cast<int>(rng() % 2);
    for (int c = 0; c < changes; ++c) {
      const bool bid = rng() % 2 == 0;
      auto& side = bid ? bids : asks;
      const auto& top = side.levels();
      const std::int64_t best = bid ? 450'000 : 450'010;
      const std::int64_t ticks = bid ? best - static_cast<std::int64_t>(rng() % 30)
                                     : best + static_cast<std::int64_t>(rng() % 30);
      Decimal q = rng() % 4 == 0 && top.size() > depth / 2 ? Decimal::zero() : qty();
      side.set(price(ticks), q);
      (bid ? bid_changes : ask_changes).push_back({price(ticks), q});
    }
    bids.truncate(depth);  // after the whole message, as the book does
    asks.truncate(depth);
    out.updates.push_back(book_frame(
        false, bid_changes, ask_changes,
        market::book_checksum(asks.levels(), bids.levels(), kPricePrecision, kQtyPrecision)));
  }
  return out;
}

struct BookSink : kraken::FrameSink {
  market::OrderBook* book = nullptr;
  std::uint64_t failures = 0;
  void on_book(const core::BookDelta& delta) override {
    if (book->apply(delta) != market::ApplyResult::kApplied) ++failures;
  }
};

void run_book_updates(benchmark::State& state, std::size_t depth) {
  const BookStream stream = make_book_stream(depth, 20'000);
  kraken::FrameParser parser;
  market::OrderBook book("BTC/USD", depth);
  book.set_precision(kPricePrecision, kQtyPrecision);
  BookSink sink;
  sink.book = &book;
  std::size_t i = 0;
  std::uint64_t bytes = 0;
  (void)parser.parse(stream.snapshot, {}, sink);
  for (auto _ : state) {
    if (i == stream.updates.size()) {
      state.PauseTiming();
      (void)parser.parse(stream.snapshot, {}, sink);
      i = 0;
      state.ResumeTiming();
    }
    const auto& frame = stream.updates[i++];
    bytes += frame.size();
    benchmark::DoNotOptimize(parser.parse(frame, {}, sink));
  }
  if (sink.failures != 0) state.SkipWithError("checksum did not verify");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_BookUpdateParseApplyVerify_Depth10(benchmark::State& state) {
  run_book_updates(state, 10);
}
void BM_BookUpdateParseApplyVerify_Depth1000(benchmark::State& state) {
  run_book_updates(state, 1000);
}
BENCHMARK(BM_BookUpdateParseApplyVerify_Depth10);
BENCHMARK(BM_BookUpdateParseApplyVerify_Depth1000);

struct CountingSink : kraken::FrameSink {
  std::uint64_t trades = 0;
  void on_trade(const core::Trade& t) override {
    trades += static_cast<std::uint64_t>(t.trade_id > 0);
  }
};

void BM_TradeFrameParse(benchmark::State& state) {
  const std::string frame =
      R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":45283.4,)"
      R"("qty":0.00050000,"ord_type":"market","trade_id":72311,"timestamp":"2023-10-06T17:35:55.440295Z"}]})";
  kraken::FrameParser parser;
  CountingSink sink;
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse(frame, {}, sink));
  if (sink.trades != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("trade not parsed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TradeFrameParse);

void BM_ChecksumTop10(benchmark::State& state) {
  market::OrderBook book("BTC/USD", 10);
  book.set_precision(kPricePrecision, kQtyPrecision);
  BookSink sink;
  sink.book = &book;
  kraken::FrameParser parser;
  (void)parser.parse(make_book_stream(10, 1).snapshot, {}, sink);
  for (auto _ : state) benchmark::DoNotOptimize(book.checksum());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ChecksumTop10);

void BM_Depth1000BookMemory(benchmark::State& state) {
  const BookStream stream = make_book_stream(1000, 0);
  std::size_t bytes = 0;
  for (auto _ : state) {
    market::OrderBook book("BTC/USD", 1000);
    BookSink sink;
    sink.book = &book;
    kraken::FrameParser parser;
    (void)parser.parse(stream.snapshot, {}, sink);
    bytes = book.memory_bytes();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["book_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Depth1000BookMemory)->Iterations(10);

void BM_ReplaySample(benchmark::State& state) {
  std::ifstream in(std::string(TG4_SOURCE_DIR) + "/tests/data/kraken_sim_sample.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) {
    state.SkipWithError("tests/data/kraken_sim_sample.jsonl not found (set TG4_SOURCE_DIR)");
    return;
  }
  std::uint64_t frames = 0;
  for (auto _ : state) {
    kraken::FrameReplay replay;
    std::uint64_t n = 0;
    for (const auto& line : lines) replay.feed(line, ++n);
    frames += replay.summary().frames;
    if (replay.summary().checksum_mismatch != 0 || replay.summary().parse_errors != 0) {
      state.SkipWithError("sample did not verify");
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
}
BENCHMARK(BM_ReplaySample)->Unit(benchmark::kMillisecond);

}  // namespace
