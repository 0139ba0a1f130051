// run_backtest: one kernel, one pipeline, one simulated clock per run (docs/backtesting.md).
#include "backtest/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "backtest/candle_path.hpp"
#include "backtest/metrics.hpp"
#include "backtest/strategy_gate.hpp"
#include "core/ids.hpp"
#include "core/instrument.hpp"
#include "kernel/kernel.hpp"
#include "kernel/pipeline.hpp"
#include "market/bar_aggregator.hpp"
#include "strategy/registry.hpp"

namespace tg4::backtest {
namespace {

constexpr std::uint64_t kProgressEvery = 4096;
// Frames: the tick and the equity samples run once a minute, on minute boundaries, so 1-minute bars
// close exactly at their end (before the next minute's first event), as candles do.
constexpr core::Duration kFramesTick = std::chrono::minutes(1);
const std::vector<int> kDefaultTimeframes{1, 5, 15, 60, 240, 1440};

bool in_window(core::Timestamp t, core::Timestamp from, core::Timestamp to) {
  return (!from.is_set() || t >= from) && (!to.is_set() || t < to);
}

// The counter of one of our client order ids: the order they were made in (0 for another id).
std::uint64_t id_counter(const std::string& client_order_id) {
  const auto parsed = core::ClientOrderIdGenerator::parse(client_order_id);
  return parsed ? parsed->counter : 0;
}

OrderRecord order_record(const execution::ManagedOrder& m) {
  OrderRecord o;
  o.client_order_id = m.request.client_order_id;
  o.intent_id = m.intent_id;
  o.symbol = m.request.symbol;
  o.side = core::to_string(m.request.side);
  o.type = core::to_string(m.request.type);
  o.role = execution::to_string(m.role);
  o.status = core::to_string(m.status);
  o.reason = m.reason;
  o.created = m.created;
  o.updated = m.updated;
  o.qty = m.request.qty;
  o.filled = m.filled;
  o.avg_price = m.avg_price;
  o.limit_price = m.request.limit_price;
  o.trigger_price = m.request.trigger_price;
  o.stop_loss = m.stop_loss;
  o.take_profit = m.take_profit;
  return o;
}

// One backtest run. Owns its clock, kernel and pipeline; `data` is only read.
class Runner {
 public:
  Runner(const BacktestSpec& spec, const MarketData& data) : spec_(spec), data_(data) {}

  // The simulated time reached, for errors ("start" before the clock exists).
  std::string clock_text() const { return clock_ ? core::format_rfc3339(clock_->now(), 0) : "start"; }

  core::Result<BacktestResult> run() {
    if (auto s = prepare(); !s) return s.error();
    // One equity point per sample boundary (and the initial one): reserved at once, not grown by
    // doubling, which copied the points and touched fresh pages on every growth.
    equity_.reserve(static_cast<std::size_t>((end_ - trade_start_) / sample_interval_) + 2);
    pipeline_->start();
    kernel_->run_until_empty();
    if (candles()) {
      feed_candles();
    } else {
      feed_frames();
    }
    finish();
    return collect();
  }

 private:
  bool candles() const { return data_.kind != DataKind::kFrames; }
  // The start of the candle (frames: the minute) containing t: where ticks and samples fall.
  core::Timestamp boundary(core::Timestamp t) const {
    return market::bucket_start(t, candles() ? data_.interval_minutes : 1);
  }

  core::Status prepare() {
    if (auto s = choose_symbols(); !s) return s;
    if (auto s = choose_period(); !s) return s;
    kernel::PipelineOptions options = spec_.base;
    options.symbols = symbols_;
    options.scope = {fmt::format("backtest-{}-{}", spec_.strategy, start_.seconds()), "backtest"};
    options.record_market_data = false;
    options.strategy = spec_.strategy;
    if (candles()) {
      // One tick per candle: the bar closes on the tick at its end, before the next candle's open.
      interval_ = std::chrono::minutes(data_.interval_minutes);
      options.timeframes = {data_.interval_minutes};
      for (const int tf : kDefaultTimeframes) {
        if (tf > data_.interval_minutes && tf % data_.interval_minutes == 0)
          options.timeframes.push_back(tf);
      }
      options.tick = interval_;
      sample_interval_ = interval_;
    } else {
      if (options.timeframes.empty()) options.timeframes = kDefaultTimeframes;
      if (data_.book_depth > 0) options.book_depth = data_.book_depth;
      options.tick = kFramesTick;
      sample_interval_ = kFramesTick;
    }
    fit_regime_timeframe(options);
    // Nothing in a backtest reads the technical agent's reading (the rules' advisor reads the
    // market itself, and the risk engine never reads it): not taken, so the run costs and outputs
    // what it did before the agent existed.
    options.agents.technical_analysis = false;
    // The paper venue lives in this process: reconciling it with our orders once, at start, is
    // enough (the periodic check only costs time and reports orders caught between two events).
    options.reconcile_interval = core::Duration::zero();
    // Portfolio rows are not needed (equity is sampled here); one a day keeps their cost away.
    options.snapshot_interval =
        std::max<core::Duration>(options.snapshot_interval, std::chrono::hours(24));
    options.summary_every_tick = false;  // read once, at the end
    auto strategy = make_strategy(options);
    if (!strategy) return strategy.error();
    if (spec_.shortcuts) fit_market((*strategy)->needs(), options);
    kernel::PipelineOutputs outputs;
    outputs.strategy = std::move(*strategy);
    // No record sink: a backtest's rows are its own outputs (orders, fills, equity).
    outputs.risk_events = [this](const risk::RiskEvent& event) { count_risk_event(event); };
    // Timers count from the clock's start: a candle or minute boundary keeps the ticks on them.
    clock_ = std::make_unique<core::SimulatedClock>(boundary(start_));
    kernel::KernelOptions kernel_options;
    kernel_options.measure_events = false;  // its registry is private: nobody reads the timings
    kernel_ = std::make_unique<kernel::Kernel>(*clock_, kernel_options);
    auto pipeline = kernel::Pipeline::create(*kernel_, std::move(options), std::move(outputs));
    if (!pipeline) return pipeline.error();
    pipeline_ = std::move(*pipeline);
    return {};
  }

  // Candles coarser than the regime timeframe (1h candles, 15m regime): the regime is named on the
  // candles themselves, the finest bars there are.
  static void fit_regime_timeframe(kernel::PipelineOptions& options) {
    core::AgentsSection& agents = options.agents;
    if (!agents.regime_detection) return;
    const auto& tracked = options.timeframes;
    if (std::find(tracked.begin(), tracked.end(), agents.regime_timeframe_minutes) == tracked.end())
      agents.regime_timeframe_minutes = tracked.front();
  }

  // What nothing reads is not computed: a strategy that keeps its own indicators gets the bars of
  // the timeframes it uses and no others, and the market state computes only the risk engine's ATR.
  static void fit_market(const strategy::StrategyNeeds& needs, kernel::PipelineOptions& options) {
    if (needs.market_state) return;
    options.indicators = market::IndicatorScope::kVolatility;
    if (needs.timeframes.empty()) return;
    const int base = options.timeframes.front();  // bars close and the risk engine's ATR on it
    const int regime = options.agents.regime_detection ? options.agents.regime_timeframe_minutes : 0;
    const auto unused = [&](const int tf) {
      return tf != base && tf != regime &&
             std::find(needs.timeframes.begin(), needs.timeframes.end(), tf) == needs.timeframes.end();
    };
    std::erase_if(options.timeframes, unused);
    std::erase_if(options.bar_rollups, unused);
  }

  core::Status choose_symbols() {
    const std::vector<std::string> available = data_.symbols();
    symbols_ = spec_.symbols.empty() ? available : spec_.symbols;
    std::sort(symbols_.begin(), symbols_.end());
    symbols_.erase(std::unique(symbols_.begin(), symbols_.end()), symbols_.end());
    for (const auto& symbol : symbols_) {
      if (!std::binary_search(available.begin(), available.end(), symbol)) {
        return core::Error::of(fmt::format("symbol '{}' is not in the data ({}; it has: {})",
                                           symbol, data_.description, fmt::join(available, ", ")));
      }
    }
    if (symbols_.empty())
      return core::Error::of("no symbols in the data (" + data_.description + ")");
    if (candles()) {
      for (const SymbolBars& series : data_.bars) {
        if (std::binary_search(symbols_.begin(), symbols_.end(), series.symbol))
          series_.push_back(&series);
      }
    }
    return {};
  }

  // The fed window [start_, end_) and the measured period [trade_start_, end_).
  core::Status choose_period() {
    if (candles()) {
      core::Timestamp first{}, last{};
      for (const SymbolBars* s : series_) {
        for (const core::Bar& bar : s->bars) {
          if (!in_window(bar.open_time, spec_.from, spec_.to)) continue;
          if (!first.is_set() || bar.open_time < first) first = bar.open_time;
          if (bar.open_time > last) last = bar.open_time;
          ++total_;
        }
      }
      if (total_ == 0) return window_error();
      start_ = first;
      end_ = last + std::chrono::minutes(data_.interval_minutes);
    } else {
      for (const core::MarketEvent& e : data_.events) {
        const core::Timestamp t = kernel::event_time(e);
        if (!t.is_set()) continue;
        if (spec_.to.is_set() && t >= spec_.to) break;
        if (!start_.is_set()) start_ = t;
        end_ = t;
      }
      total_ = data_.events.size();
      if (!start_.is_set() || (spec_.from.is_set() && end_ < spec_.from)) return window_error();
    }
    trade_start_ = std::max({start_, spec_.trade_from, candles() ? core::Timestamp{} : spec_.from});
    next_sample_ = trade_start_;
    initial_pending_ = trade_start_ == start_;
    if (trade_start_ >= end_) {
      return core::Error::of(
          fmt::format("nothing to trade: trading would start at {}, after the data ends at {}",
                      core::format_rfc3339(trade_start_, 0), core::format_rfc3339(end_, 0)));
    }
    return {};
  }

  core::Status window_error() const {
    return core::Error::of(fmt::format(
        "no data in the window {} .. {} ({})",
        spec_.from.is_set() ? core::format_rfc3339(spec_.from, 0) : "start",
        spec_.to.is_set() ? core::format_rfc3339(spec_.to, 0) : "end", data_.description));
  }

  core::Result<strategy::StrategyPtr> make_strategy(kernel::PipelineOptions& options) {
    const strategy::StrategyRegistry builtins =
        spec_.registry ? strategy::StrategyRegistry{} : strategy::builtin_registry();
    const strategy::StrategyRegistry& registry = spec_.registry ? *spec_.registry : builtins;
    const strategy::StrategyInfo* info = registry.find(spec_.strategy);
    if (info == nullptr)
      return core::Error::of("strategy: " + registry.create(spec_.strategy).error().message);
    std::map<std::string, std::string> params = spec_.params;
    const bool has_timeframe =
        std::any_of(info->params.begin(), info->params.end(),
                    [](const strategy::ParamSpec& p) { return p.name == "timeframe"; });
    // The strategy trades the candles' own interval unless told otherwise.
    if (candles() && has_timeframe && !params.contains("timeframe")) {
      params["timeframe"] = std::to_string(data_.interval_minutes);
    }
    auto inner = registry.create(spec_.strategy, params);
    if (!inner) return inner.error();
    if (auto s = check_fits_data((*inner)->params().values()); !s) return s.error();
    options.strategy_params = params;
    const auto& values = (*inner)->params().values();
    const auto tf = values.find("timeframe");
    const int chart_tf = tf != values.end() ? std::stoi(tf->second) : options.timeframes.front();
    auto gate = std::make_unique<StrategyGate>(std::move(*inner), trade_start_, chart_tf,
                                               spec_.collect_charts);
    gate_ = gate.get();
    return strategy::StrategyPtr(std::move(gate));
  }

  // A timeframe finer than the candles (the strategy would trade bars cut from the synthetic path
  // inside each candle) or a symbol not replayed would leave the strategy trading artefacts, or
  // idle, with a successful exit: refused instead, naming the parameter. (Which timeframes have
  // bars at all is the strategy's own parameter check.)
  core::Status check_fits_data(const std::map<std::string, std::string, std::less<>>& values) const {
    const std::string where = fmt::format("strategy '{}' parameter", spec_.strategy);
    if (const auto tf = values.find("timeframe"); tf != values.end() && candles()) {
      const int minutes = std::stoi(tf->second);
      if (minutes % data_.interval_minutes != 0) {
        return core::Error::of(
            fmt::format("{} 'timeframe': {} minutes is not a multiple of the data's {}-minute "
                        "candles ({})",
                        where, minutes, data_.interval_minutes, data_.description));
      }
    }
    if (const auto list = values.find("symbols"); list != values.end()) {
      for (const std::string& symbol : core::split_symbol_list(list->second)) {
        if (!std::binary_search(symbols_.begin(), symbols_.end(), symbol)) {
          return core::Error::of(fmt::format("{} 'symbols': '{}' is not in the data (it has: {})",
                                             where, symbol, fmt::join(symbols_, ", ")));
        }
      }
    }
    return {};
  }

  // Equity samples at every sample boundary up to t; the clock is first advanced to the boundary,
  // so the bars ending there are closed and their decisions made.
  void before(core::Timestamp t) {
    while (next_sample_ <= t && next_sample_ < end_) {
      kernel_->advance_clock_to(next_sample_);
      kernel_->run_until_empty();
      if (!initial_pending_) sample(next_sample_);
      next_sample_ = boundary(next_sample_) + sample_interval_;
    }
  }

  void sample(core::Timestamp t) {
    const execution::Portfolio& p = pipeline_->portfolio();
    // Cash is the balance of the reporting currency itself: valued at the rate one, as it is.
    EquityPoint point{t, p.equity(), p.balance(p.reporting_currency()), {}};
    if (!equity_.empty() && equity_.back().time == t) {
      equity_.back() = point;
    } else {
      equity_.push_back(point);
    }
  }

  // The initial equity: the starting balances at the first prices, once the first events are in.
  void after_first_events() {
    if (!initial_pending_) return;
    initial_pending_ = false;
    sample(trade_start_);
  }

  // Why intents were refused and which breakers tripped: the first question about a quiet run. An
  // order the verdict allowed and the order manager or the venue then refused counts as well
  // ("order_refused:venue"), or a run whose every entry the venue refuses would read 0.
  void count_risk_event(const risk::RiskEvent& event) {
    if (event.kind == risk::RiskEvent::Kind::kOrderRefused) {
      ++rejections_["order_refused:" + event.refused_by];
      return;
    }
    const bool refused = event.verdict && (*event.verdict == risk::VerdictStatus::kRejected ||
                                           *event.verdict == risk::VerdictStatus::kHalted);
    if (refused) ++rejections_[risk::rule_label(event.rule)];
    if (event.breaker && event.breaker_tripped) ++breakers_[risk::to_string(*event.breaker)];
  }

  void dispatch(kernel::Event event) {
    kernel_->post(std::move(event));
    kernel_->run_until_empty();
    ++events_;
  }

  void progress() {
    if (spec_.on_progress && ++groups_ % kProgressEvery == 0)
      spec_.on_progress(Progress{done_, total_});
  }

  void feed_candles() {
    std::vector<std::size_t> next(series_.size(), 0);
    std::vector<core::Decimal> previous(series_.size());
    const core::Duration open_delay = spec_.base.paper.latency;
    // Reused from candle to candle: the trades keep their symbol strings, only the numbers change.
    std::vector<core::Trade> buffer;
    for (;;) {
      const std::optional<core::Timestamp> t = next_candle_time(next);
      if (!t) break;
      std::size_t used = 0;
      for (std::size_t i = 0; i < series_.size(); ++i) {
        const auto& bars = series_[i]->bars;
        if (next[i] >= bars.size() || bars[next[i]].open_time != *t) continue;
        const core::Bar& bar = bars[next[i]++];
        const CandlePath path = candle_path(bar, interval_, open_delay, previous[i]);
        for (std::size_t k = 0; k < path.size; ++k) set_trade(buffer, used++, series_[i]->symbol, path.trades[k]);
        previous[i] = bar.close;
        ++done_;
      }
      const std::span<core::Trade> trades(buffer.data(), used);
      const auto by_time = [](const core::Trade& a, const core::Trade& b) { return a.time < b.time; };
      if (!std::is_sorted(trades.begin(), trades.end(), by_time)) std::stable_sort(trades.begin(), trades.end(), by_time);
      if (initial_pending_) {
        // E0 is stamped at the first candle's start: the starting balances at its opens, not at its
        // close (a price from later in the candle).
        const auto later = std::find_if(trades.begin(), trades.end(), [&](const core::Trade& x) {
          return x.time != trades.front().time;
        });
        const auto opens = static_cast<std::size_t>(later - trades.begin());
        feed_step(trades.first(opens));
        after_first_events();
        feed_step(trades.subspan(opens));
      } else {
        feed_step(trades);
      }
      progress();
    }
  }

  // The earliest candle time among the symbols, skipping candles outside the window; nullopt at
  // the end of the data.
  std::optional<core::Timestamp> next_candle_time(std::vector<std::size_t>& next) const {
    std::optional<core::Timestamp> t;
    for (std::size_t i = 0; i < series_.size(); ++i) {
      const auto& bars = series_[i]->bars;
      while (next[i] < bars.size() && !in_window(bars[next[i]].open_time, spec_.from, spec_.to)) {
        if (spec_.to.is_set() && bars[next[i]].open_time >= spec_.to) {
          next[i] = bars.size();
        } else {
          ++next[i];
        }
      }
      if (next[i] < bars.size() && (!t || bars[next[i]].open_time < *t)) t = bars[next[i]].open_time;
    }
    return t;
  }

  // trades[index] := the path trade p of `symbol`, every other field as a fresh Trade has it.
  static void set_trade(std::vector<core::Trade>& trades, std::size_t index, const std::string& symbol, const PathTrade& p) {
    if (index == trades.size()) trades.emplace_back();
    core::Trade& trade = trades[index];
    if (trade.symbol != symbol) trade.symbol = symbol;
    trade.side = p.side;
    trade.price = p.price;
    trade.qty = p.qty;
    trade.time = p.time;
    trade.received = p.time;
    trade.continuous = p.continuous;
  }

  // One candle time's trades (every symbol's, in time order). Most of them meet no order and no
  // timer: the pipeline applies those at once (Pipeline::apply_if_quiet), the others go through
  // the kernel one by one.
  void feed_step(std::span<const core::Trade> trades) {
    if (trades.empty()) return;
    before(trades.front().time);
    if (apply_if_quiet(trades)) return;
    for (const core::Trade& trade : trades) {
      before(trade.time);
      dispatch(trade);
    }
  }

  // Recorded events in order. Runs of trades between two sample boundaries that nothing can react
  // to are applied at once, as a candle's are; a run that is not quiet goes one event at a time.
  void feed_frames() {
    const std::vector<core::MarketEvent>& events = data_.events;
    std::size_t one_by_one_until = 0;  // the last run tried was not quiet: its events go singly
    for (std::size_t i = 0; i < events.size();) {
      if (i >= one_by_one_until) {
        const std::size_t run = gather_trade_run(i);
        if (run > 1 && apply_if_quiet(run_)) {
          for (std::size_t k = 0; k < run; ++k) finish_event();
          i += run;
          continue;
        }
        one_by_one_until = i + run;
      }
      if (!feed_event(events[i++])) break;
    }
  }

  // Copies into run_ the recorded trades from events[first] on that fall before the next sample
  // boundary and the data's end (nothing the runner does falls between them); their count. None
  // while the initial equity waits for its first prices.
  std::size_t gather_trade_run(std::size_t first) {
    run_.clear();
    const std::vector<core::MarketEvent>& events = data_.events;
    if (!spec_.shortcuts || initial_pending_) return 0;
    for (std::size_t i = first; i < events.size(); ++i) {
      const auto* trade = std::get_if<core::Trade>(&events[i]);
      if (trade == nullptr || !trade->time.is_set() || trade->time > end_) break;
      if (run_.empty()) before(trade->time);  // as the first of them would, one by one
      if (trade->time >= next_sample_) break;
      run_.push_back(*trade);
    }
    return run_.size();
  }

  // One recorded event through the kernel (or applied directly if nothing can react to it); false
  // past the data's end.
  bool feed_event(const core::MarketEvent& e) {
    const core::Timestamp t = kernel::event_time(e);
    if (t.is_set()) {
      if (t > end_) return false;
      before(t);
    }
    const auto* trade = std::get_if<core::Trade>(&e);
    if (trade == nullptr || !apply_if_quiet({trade, 1})) dispatch(kernel::to_event(e));
    if (t.is_set()) after_first_events();
    finish_event();
    return true;
  }

  void finish_event() {
    ++done_;
    progress();
  }

  // Trades nothing can react to (a candle's, a run of recorded ones, one recorded trade) skip the
  // kernel round trip: applied and counted here, or false and left to the kernel.
  bool apply_if_quiet(std::span<const core::Trade> trades) {
    if (!spec_.shortcuts || !pipeline_->apply_if_quiet(trades)) return false;
    events_ += trades.size();
    direct_trades_ += trades.size();
    return true;
  }

  void finish() {
    before(end_);
    kernel_->advance_clock_to(end_);
    kernel_->run_until_empty();
    pipeline_->finish();
    kernel_->run_until_empty();
    initial_pending_ = false;
    sample(end_);
    if (spec_.on_progress) spec_.on_progress(Progress{done_, total_});
  }

  // Starting balances worth nothing in the reporting currency: every figure would be a silent zero.
  core::Status check_starting_equity() const {
    if (equity_.empty() || equity_.front().equity.is_positive()) return {};
    const std::string currency = pipeline_->portfolio().reporting_currency();
    std::vector<std::string> balances;
    bool any = false;
    for (const auto& [asset, amount] : spec_.base.starting_balances) {
      balances.push_back(asset + "=" + amount.to_string());
      any = any || amount.is_positive();
    }
    const std::string why =
        any ? fmt::format("no price in the data values them in {}: give --balance {}=AMOUNT or a "
                          "--currency they are held in", currency, currency)
            : std::string("every balance is zero");
    return core::Error::of(fmt::format("nothing to trade: the starting balances ({}) are worth 0 {}; {}",
                                       fmt::join(balances, ", "), currency, why));
  }

  core::Result<BacktestResult> collect() {
    if (auto s = check_starting_equity(); !s) return s.error();
    BacktestResult r;
    r.fills = pipeline_->fills();
    const execution::OrderManager& manager = pipeline_->orders();
    // By creation time, then by id counter: each id parsed once, not in every comparison.
    std::vector<std::pair<std::uint64_t, OrderRecord>> keyed;
    keyed.reserve(manager.orders().size());
    for (const auto& [id, order] : manager.orders())
      keyed.emplace_back(id_counter(order.request.client_order_id), order_record(order));
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      if (a.second.created != b.second.created) return a.second.created < b.second.created;
      return a.first < b.first;
    });
    r.orders.reserve(keyed.size());
    for (auto& [counter, record] : keyed) r.orders.push_back(std::move(record));
    const RoleOf role_of = [&manager](const std::string& id) {
      const execution::ManagedOrder* order = manager.find(id);
      if (order == nullptr) return std::string("unknown");
      return execution::is_holding_source(order->source)
                 ? order->source
                 : std::string(execution::to_string(order->role));
    };
    // A hodl bag's buys and a rebalance's orders are no trade: they stay out of the round trips.
    std::vector<core::Fill> trading_fills;
    std::copy_if(r.fills.begin(), r.fills.end(), std::back_inserter(trading_fills),
                 [&manager](const core::Fill& f) {
                   const execution::ManagedOrder* order = manager.find(f.client_order_id);
                   return order == nullptr || !execution::is_holding_source(order->source);
                 });
    const RoundTrips trips = build_round_trips(trading_fills, pipeline_->closed_trades(), role_of);
    r.trades = trips.closed;
    r.equity = std::move(equity_);
    r.direct_trades = direct_trades_;
    fill_drawdowns(r.equity);

    Summary& s = r.summary;
    s.strategy = spec_.strategy;
    for (const auto& [k, v] : gate_->params().values()) s.params[k] = v;
    s.symbols = symbols_;
    s.currency = pipeline_->portfolio().reporting_currency();
    s.start = trade_start_;
    s.end = end_;
    s.fees = pipeline_->portfolio().fees_paid();
    const kernel::PipelineSummary counters = pipeline_->summary();
    s.orders = r.orders.size();
    s.fills = r.fills.size();
    s.intents = counters.intents;
    s.rejected = counters.rejected + counters.orders_refused;
    s.bars = gate_->bars_seen();
    s.rejections = rejections_;
    s.breakers = breakers_;
    s.events = events_;
    compute_equity_metrics(s, r.equity);
    compute_trade_metrics(s, trips);
    if (pipeline_->hodl_enabled()) s.hodl = pipeline_->hodl_json();

    if (spec_.collect_charts) r.charts = charts(r, role_of);
    return r;
  }

  std::vector<SymbolChart> charts(const BacktestResult& r, const RoleOf& role_of) {
    std::vector<SymbolChart> out = gate_->take_charts();
    for (const core::Fill& fill : r.fills) {
      for (SymbolChart& chart : out) {
        if (chart.symbol != fill.symbol) continue;
        chart.markers.push_back(
            ReportMarker{fill.time, fill.side, fill.price.to_double(),
                         fmt::format("{} {} @ {}", role_of(fill.client_order_id),
                                     fill.qty.to_string(), fill.price.to_string())});
      }
    }
    return out;
  }

  const BacktestSpec& spec_;
  const MarketData& data_;
  std::vector<std::string> symbols_;
  std::vector<core::Trade> run_;  // feed_frames' run of trades, reused
  std::vector<const SymbolBars*> series_;
  core::Duration interval_{};
  core::Duration sample_interval_{};
  core::Timestamp start_, end_, trade_start_;
  core::Timestamp next_sample_{};
  bool initial_pending_ = true;
  std::unique_ptr<core::SimulatedClock> clock_;
  std::unique_ptr<kernel::Kernel> kernel_;
  std::unique_ptr<kernel::Pipeline> pipeline_;  // destroyed before the kernel (declared after)
  StrategyGate* gate_ = nullptr;                // owned by the pipeline
  std::vector<EquityPoint> equity_;
  std::map<std::string, std::uint64_t> rejections_, breakers_;
  std::uint64_t events_ = 0, done_ = 0, total_ = 0, groups_ = 0, direct_trades_ = 0;
};

}  // namespace

core::Result<BacktestResult> run_backtest(const BacktestSpec& spec, const MarketData& data) {
  Runner runner(spec, data);
  try {
    return runner.run();
  } catch (const std::exception& e) {  // a strategy's (or a Decimal's) error ends this run only
    return core::Error::of(std::string("backtest stopped at ") + runner.clock_text() + ": " + e.what());
  }
}

}  // namespace tg4::backtest
