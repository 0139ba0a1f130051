#include "backtest/strategy_gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "market/indicators/indicators.hpp"

namespace tg4::backtest {

// The indicator lines drawn over a symbol's candles, following the strategy's parameters.
class OverlaySet {
 public:
  explicit OverlaySet(const strategy::Strategy& s) {
    const auto& v = s.params().values();
    const auto get = [&](const char* key, const char* fallback) {
      const auto it = v.find(key);
      return it == v.end() ? std::string(fallback) : it->second;
    };
    const std::string name(s.name());
    if (name == "ema_cross") {
      add_ema(std::stoi(get("fast", "9")));
      add_ema(std::stoi(get("slow", "21")));
    } else if (name == "bollinger_breakout") {
      const int period = std::stoi(get("period", "20"));
      const double k = std::stod(get("stddev", "2"));
      lines_.emplace_back(market::Bollinger(period, k));
      series_.push_back(ReportSeries{fmt::format("bb_upper({},{})", period, k), {}, {}});
      series_.push_back(ReportSeries{fmt::format("bb_middle({},{})", period, k), {}, {}});
      series_.push_back(ReportSeries{fmt::format("bb_lower({},{})", period, k), {}, {}});
    } else if (name == "supertrend_follow") {
      const int period = std::stoi(get("period", "10"));
      const double mult = std::stod(get("multiplier", "3"));
      lines_.emplace_back(market::Supertrend(period, mult));
      series_.push_back(ReportSeries{fmt::format("supertrend({},{})", period, mult), {}, {}});
    } else {
      add_ema(21);
      add_ema(50);
    }
  }

  void update(const core::Bar& bar) {
    const market::Ohlcv b = market::to_ohlcv(bar);
    std::size_t out = 0;
    for (Line& line : lines_) {
      std::visit(
          [&](auto& ind) {
            using T = std::decay_t<decltype(ind)>;
            if constexpr (std::is_same_v<T, market::Ema>) {
              ind.update(b.close);
              put(out++, bar.open_time, ind.value());
            } else if constexpr (std::is_same_v<T, market::Bollinger>) {
              ind.update(b.close);
              const auto value = ind.value();
              put(out++, bar.open_time, value.upper);
              put(out++, bar.open_time, value.middle);
              put(out++, bar.open_time, value.lower);
            } else {
              ind.update(b);
              put(out++, bar.open_time, ind.value().line);
            }
          },
          line);
    }
  }

  std::vector<ReportSeries> take() { return std::move(series_); }

 private:
  using Line = std::variant<market::Ema, market::Bollinger, market::Supertrend>;
  void add_ema(int period) {
    lines_.emplace_back(market::Ema(period));
    series_.push_back(ReportSeries{fmt::format("ema({})", period), {}, {}});
  }
  void put(std::size_t index, core::Timestamp t, std::optional<double> value) {
    if (value) series_[index].points.emplace_back(t, *value);
  }

  std::vector<Line> lines_;
  std::vector<ReportSeries> series_;
};

// What the wrapped strategy sees: the pipeline's context, with submit() closed before trade_from.
class StrategyGate::Context final : public strategy::StrategyContext {
 public:
  Context(StrategyGate& gate, strategy::StrategyContext& real) : gate_(gate), real_(real) {}
  core::Timestamp now() const override { return real_.now(); }
  const market::SymbolMarket* market(std::string_view symbol) const override {
    return real_.market(symbol);
  }
  const execution::Portfolio& portfolio() const override { return real_.portfolio(); }
  bool margin_enabled() const override { return real_.margin_enabled(); }
  void submit(core::OrderIntent intent) override {
    if (real_.now() < gate_.trade_from_) {
      ++gate_.dropped_;
      return;
    }
    real_.submit(std::move(intent));
  }
  void schedule_timer(std::string name, core::Timestamp at) override {
    real_.schedule_timer(std::move(name), at);
  }
  bool ask_advice(const std::string& symbol, int timeframe_minutes) override {
    return real_.ask_advice(symbol, timeframe_minutes);
  }

 private:
  StrategyGate& gate_;
  strategy::StrategyContext& real_;
};

StrategyGate::StrategyGate(strategy::StrategyPtr inner, core::Timestamp trade_from, int timeframe,
                           bool keep_charts)
    : Strategy(inner->params()),
      inner_(std::move(inner)),
      trade_from_(trade_from),
      timeframe_(timeframe),
      keep_charts_(keep_charts) {}

StrategyGate::~StrategyGate() = default;

strategy::StrategyNeeds StrategyGate::needs() const {
  strategy::StrategyNeeds needs = inner_->needs();
  if (!needs.timeframes.empty() &&
      std::find(needs.timeframes.begin(), needs.timeframes.end(), timeframe_) == needs.timeframes.end()) {
    needs.timeframes.push_back(timeframe_);
  }
  return needs;
}

void StrategyGate::on_start(strategy::StrategyContext& ctx) {
  Context gated(*this, ctx);
  inner_->on_start(gated);
}

void StrategyGate::on_bar(strategy::StrategyContext& ctx, const core::Bar& bar) {
  if (bar.interval_minutes == timeframe_) ++bars_seen_;
  if (keep_charts_ && bar.interval_minutes == timeframe_) {
    Chart& chart = charts_[bar.symbol];
    if (!chart.overlays) chart.overlays = std::make_unique<OverlaySet>(*inner_);
    chart.candles.push_back(bar);
    chart.overlays->update(bar);
  }
  Context gated(*this, ctx);
  inner_->on_bar(gated, bar);
}

void StrategyGate::on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) {
  Context gated(*this, ctx);
  inner_->on_trade(gated, trade);
}

void StrategyGate::on_book(strategy::StrategyContext& ctx, const std::string& symbol) {
  Context gated(*this, ctx);
  inner_->on_book(gated, symbol);
}

void StrategyGate::on_fill(strategy::StrategyContext& ctx, const core::Fill& fill) {
  Context gated(*this, ctx);
  inner_->on_fill(gated, fill);
}

void StrategyGate::on_timer(strategy::StrategyContext& ctx, const strategy::TimerEvent& timer) {
  Context gated(*this, ctx);
  inner_->on_timer(gated, timer);
}

void StrategyGate::on_advice(strategy::StrategyContext& ctx, const strategy::Advice& advice) {
  Context gated(*this, ctx);
  inner_->on_advice(gated, advice);
}

std::vector<SymbolChart> StrategyGate::take_charts() {
  std::vector<SymbolChart> out;
  for (auto& [symbol, chart] : charts_) {
    SymbolChart c;
    c.symbol = symbol;
    c.candles = std::move(chart.candles);
    if (chart.overlays) c.overlays = chart.overlays->take();
    out.push_back(std::move(c));
  }
  charts_.clear();
  return out;
}

}  // namespace tg4::backtest
