#pragma once
// Shared by the backtest tests: candles written by hand, and a scripted strategy that submits
// given intents after given bars, so every fill, fee and PnL can be worked out on paper.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "backtest/backtest.hpp"
#include "core/decimal.hpp"
#include "strategy/registry.hpp"

namespace tg4::backtest::testing {

inline core::Decimal D(const char* text) {
  return core::Decimal::must(text);
}

// 2024-01-01T00:00:00Z
inline constexpr core::Timestamp kT0 = core::Timestamp::from_seconds(1'704'067'200);

inline core::Bar bar_at(int minute, const char* o, const char* h, const char* l, const char* c,
                        const char* v = "1", const std::string& symbol = "BTC/USDT") {
  core::Bar b;
  b.symbol = symbol;
  b.interval_minutes = 1;
  b.open_time = kT0 + std::chrono::minutes(minute);
  b.open = D(o);
  b.high = D(h);
  b.low = D(l);
  b.close = D(c);
  b.volume = D(v);
  return b;
}

// O = C = price, H = price + spread, L = price - spread.
inline core::Bar flat_bar(int minute, const std::string& price, const std::string& spread = "10",
                          const std::string& symbol = "BTC/USDT") {
  const core::Decimal p = D(price.c_str());
  const core::Decimal s = D(spread.c_str());
  core::Bar b;
  b.symbol = symbol;
  b.interval_minutes = 1;
  b.open_time = kT0 + std::chrono::minutes(minute);
  b.open = b.close = p;
  b.high = p + s;
  b.low = p - s;
  b.volume = D("1");
  return b;
}

// How a random walk moves, in its price units (10^-decimals of the quote). Each bar draws next()
// in -1000..1000 three times: the close moves next * move / 2000 + drift from the open (never below
// `floor`), the high and the low reach |next| * wick / 2000 beyond the body.
struct WalkShape {
  std::string symbol = "BTC/USDT";
  std::int64_t start = 300'000;  // 30000.0
  int decimals = 1;
  std::int64_t move = 500;  // up to 25.0 a bar
  std::int64_t drift = 5;
  std::int64_t wick = 250;  // up to 12.5 beyond the body
  std::int64_t floor = 1000;
};

// A deterministic random walk of 1-minute candles from kT0 (an LCG, no std::random distributions
// whose output may differ between standard libraries), with candles wide enough for stops and
// targets to trigger.
inline std::vector<core::Bar> random_walk(int count, std::uint64_t seed,
                                          const WalkShape& shape = {}) {
  std::vector<core::Bar> bars;
  std::int64_t price = shape.start;
  std::uint64_t state = seed;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((state >> 33) % 2001) - 1000;  // -1000 .. 1000
  };
  std::int64_t unit = 1;
  for (int i = 0; i < shape.decimals; ++i) unit *= 10;
  const auto text = [&](std::int64_t units) {
    std::string fraction = std::to_string(units % unit);
    fraction.insert(0, static_cast<std::size_t>(shape.decimals) - fraction.size(), '0');
    return std::to_string(units / unit) + "." + fraction;
  };
  for (int i = 0; i < count; ++i) {
    const std::int64_t open = price;
    const std::int64_t close =
        std::max<std::int64_t>(shape.floor, open + next() * shape.move / 2000 + shape.drift);
    const std::int64_t high = std::max(open, close) + std::abs(next()) * shape.wick / 2000;
    const std::int64_t low = std::min(open, close) - std::abs(next()) * shape.wick / 2000;
    const std::string volume = std::to_string(1 + (state >> 40) % 50);
    bars.push_back(bar_at(i, text(open).c_str(), text(high).c_str(), text(low).c_str(),
                          text(close).c_str(), volume.c_str(), shape.symbol));
    price = close;
  }
  return bars;
}

inline MarketData candles(std::vector<core::Bar> bars, int interval = 1) {
  MarketData data;
  data.kind = DataKind::kCandlesCsv;
  data.interval_minutes = interval;
  data.description = "test candles";
  const std::string symbol = bars.front().symbol;
  data.bars.push_back(SymbolBars{symbol, std::move(bars)});
  return data;
}

// What the scripted strategy does after it has seen bar `after_bar` (0-based, base timeframe).
struct ScriptStep {
  int after_bar = 0;
  core::Side side = core::Side::kBuy;
  core::Decimal qty;  // sell: zero = the whole position
  core::Decimal stop_loss, take_profit;
};

class ScriptedStrategy final : public strategy::Strategy {
 public:
  ScriptedStrategy(strategy::Params p, std::vector<ScriptStep> steps, std::vector<std::string>* log)
      : Strategy(std::move(p)), steps_(std::move(steps)), log_(log) {}
  std::string_view name() const override { return "scripted"; }
  void on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) override {
    if (bar.interval_minutes != 1) return;
    if (log_)
      log_->push_back(core::format_rfc3339(bar.open_time, 0) + " seen at " +
                      core::format_rfc3339(ctx.now(), 3));
    for (const ScriptStep& step : steps_) {
      if (step.after_bar != seen_) continue;
      core::OrderIntent intent;
      intent.symbol = bar.symbol;
      intent.side = step.side;
      intent.type = core::OrderType::kMarket;
      intent.entry = bar.close;
      intent.confidence = 1.0;
      intent.regime = "bull";  // size multiplier 1: the risk engine approves the size unchanged
      if (step.side == core::Side::kBuy) {
        intent.qty = step.qty;
        intent.stop_loss = step.stop_loss;
        intent.take_profit = step.take_profit;
      } else {
        const execution::Position* p = ctx.portfolio().position(bar.symbol);
        intent.qty = step.qty.is_zero() && p ? p->qty : step.qty;
        intent.reduce_only = true;
      }
      ctx.submit(std::move(intent));
    }
    ++seen_;
  }

 private:
  std::vector<ScriptStep> steps_;
  std::vector<std::string>* log_;
  int seen_ = 0;
};

inline strategy::StrategyRegistry scripted_registry(std::vector<ScriptStep> steps,
                                                    std::vector<std::string>* log = nullptr) {
  strategy::StrategyRegistry registry;
  registry.add(strategy::StrategyInfo{
      "scripted",
      "test script",
      {},
      [steps, log](strategy::Params p) -> core::Result<strategy::StrategyPtr> {
        return strategy::StrategyPtr(std::make_unique<ScriptedStrategy>(std::move(p), steps, log));
      }});
  return registry;
}

// Fees 0.1 % both sides, 10 bps slippage, 100 ms latency, 10,000 USDT.
inline BacktestSpec simple_spec(const strategy::StrategyRegistry* registry,
                                std::string strategy = "scripted") {
  BacktestSpec spec;
  spec.strategy = std::move(strategy);
  spec.registry = registry;
  spec.base.paper.taker_fee = D("0.001");
  spec.base.paper.maker_fee = D("0.001");
  spec.base.paper.slippage_bps = D("10");
  spec.base.paper.latency = std::chrono::milliseconds(100);
  spec.base.starting_balances = {{"USDT", D("10000")}};
  return spec;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tg4::backtest::testing
