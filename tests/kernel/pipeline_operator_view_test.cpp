// What the operator sees of the risk state: a circuit breaker's trip and its release are written to
// the log at warning level, with the breaker, the reason and the trading state (audit finding 5);
// `tg4 ctl risk` shows the positions the rules count and the free cash as of now, not as of the
// last intent judged (finding 7); the SPEC §11 series exist from the start and count a built-in
// strategy's signals and decisions (finding 8).
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json.hpp>
#include <functional>
#include <sstream>

#include "core/logging.hpp"
#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using namespace core::literals;
using namespace std::chrono_literals;
using testing::kStart;

// A paper pipeline on BTC/USDT trading with BuyThenSell; `setup` adjusts the options first.
struct ViewSession {
  explicit ViewSession(const std::function<void(PipelineOptions&)>& setup = {},
                       prometheus::Registry* registry = nullptr)
      : clock(kStart), kernel(clock) {
    PipelineOptions options;
    options.scope = {"view", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    if (setup) setup(options);
    auto owned = std::make_unique<testing::BuyThenSell>();
    strategy = owned.get();
    PipelineOutputs outputs;
    outputs.strategy = std::move(owned);
    outputs.registry = registry;
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
  }
  void trade(core::Decimal price, core::Duration at) {
    testing::post_trade(kernel, price, 0.5_d, kStart + at, ++trade_id);
  }

  core::SimulatedClock clock;
  Kernel kernel;
  testing::BuyThenSell* strategy = nullptr;
  std::unique_ptr<Pipeline> pipeline;
  std::int64_t trade_id = 0;
};

TEST(PipelineBreakerLog, TripAndReleaseAreLoggedAsWarnings) {
  std::ostringstream text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
  sink->set_level(spdlog::level::warn);
  auto log = core::logger("pipeline");
  log->sinks().push_back(sink);

  ViewSession session(
      [](PipelineOptions& o) { o.limits.daily_loss_limit_pct = 0.05_d; });  // 5 USDT of 10000
  session.strategy->buy_quote = 2000_d;
  session.trade(50000_d, 1s);
  session.trade(50000_d, 2s);  // the entry fills
  ASSERT_TRUE(session.pipeline->portfolio().position_qty("BTC/USDT").is_positive());
  session.trade(49000_d, 3s);  // -2 %: about -40 USDT
  session.trade(49000_d, 5s);  // valued on the tick
  ASSERT_EQ(session.pipeline->risk_state().trading_state, risk::TradingState::kHalted);
  log->flush();
  EXPECT_NE(text.str().find("circuit breaker daily_loss tripped: "), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("-> HALTED"), std::string::npos) << text.str();

  session.trade(49000_d, 25h);  // the next UTC day
  log->flush();
  EXPECT_NE(text.str().find("circuit breaker daily_loss released: "), std::string::npos)
      << text.str();
  std::erase(log->sinks(), sink);
}

TEST(PipelineRiskView, ShowsThePositionsAndCashOfNow) {
  ViewSession session;
  Pipeline& pipeline = *session.pipeline;
  session.strategy->buy_quote = 2000_d;
  session.trade(50000_d, 1s);
  session.trade(50000_d, 2s);  // the entry fills
  ASSERT_TRUE(pipeline.portfolio().position_qty("BTC/USDT").is_positive());
  auto risk = pipeline.risk_json();
  ASSERT_EQ(risk.at("open_positions").as_array().size(), 1u) << boost::json::serialize(risk);
  EXPECT_EQ(risk.at("open_positions").as_array()[0].at("symbol").as_string(), "BTC/USDT");
  EXPECT_EQ(core::Decimal::must(risk.at("available_margin").as_string()),
            pipeline.portfolio().balance("USDT"))
      << boost::json::serialize(risk);

  session.strategy->sell_next = true;
  session.trade(50000_d, 3s);
  session.trade(50000_d, 4s);
  ASSERT_TRUE(pipeline.portfolio().position_qty("BTC/USDT").is_zero());
  risk = pipeline.risk_json();
  EXPECT_TRUE(risk.at("open_positions").as_array().empty()) << boost::json::serialize(risk);
}

double series_value(prometheus::Registry& registry, const std::string& name,
                    const prometheus::Labels& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      prometheus::Labels have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have == labels)
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;  // no such series
}

TEST(PipelineMetrics, SignalsDecisionsAndHodlSeriesFromTheStart) {
  prometheus::Registry registry;
  ViewSession session([](PipelineOptions& o) { o.hodl.split_pct = {{"BTC", 100_d}}; }, &registry);
  const prometheus::Labels buy{
      {"strategy", "buy_then_sell"}, {"symbol", "BTC/USDT"}, {"side", "buy"}};
  EXPECT_EQ(series_value(registry, "tg4_strategy_signals_total", buy), 0.0);
  EXPECT_EQ(
      series_value(registry, "tg4_decisions_total", {{"source", "strategy"}, {"action", "BUY"}}),
      0.0);
  EXPECT_EQ(series_value(registry, "tg4_hodl_value", {{"asset", "BTC"}}), 0.0);
  EXPECT_EQ(series_value(registry, "tg4_hodl_movements_total", {{"kind", "set_aside"}}), 0.0);

  session.strategy->buy_quote = 2000_d;
  session.trade(50000_d, 1s);
  EXPECT_EQ(series_value(registry, "tg4_strategy_signals_total", buy), 1.0);
  EXPECT_EQ(
      series_value(registry, "tg4_decisions_total", {{"source", "strategy"}, {"action", "BUY"}}),
      1.0);
}

}  // namespace
}  // namespace tg4::kernel
