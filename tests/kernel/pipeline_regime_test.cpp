// The regime detection agent through the pipeline (its rules, the default): every 5 minutes the
// 15m bars are read, two agreeing runs set the symbol's regime, and from then on the symbol's intents
// are judged by that regime's row of the risk tables (here rule 4's minimum confidence: 0.70 while
// unknown, 0.55 trending). The regime is recorded, exported and shown.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"
#include "storage/local_state_bus.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace std::chrono_literals;
using testing::kStart;

// Buys BTC at confidence 0.6 on the next trade after `buy_next` is set, with no regime of its own.
class BuyWhenTold final : public strategy::Strategy {
 public:
  BuyWhenTold() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "buy_when_told"; }
  void on_trade(strategy::StrategyContext& ctx, const core::Trade& trade) override {
    if (!buy_next) return;
    buy_next = false;
    core::OrderIntent intent;
    intent.symbol = trade.symbol;
    intent.side = core::Side::kBuy;
    intent.entry = trade.price;
    intent.size_quote = Decimal::from_int(100);
    intent.stop_loss = (trade.price * Decimal::must("0.98")).round(2);
    intent.take_profit = (trade.price * Decimal::must("1.04")).round(2);
    intent.confidence = 0.6;
    ctx.submit(intent);
  }
  bool buy_next = false;
};

struct RegimeSession {
  explicit RegimeSession(bool detection = true) {
    PipelineOptions options;
    options.scope = {"r1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.regime_detection = detection;
    options.agents.technical_analysis = false;  // its rows are pipeline_technical_test's
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* d = std::get_if<storage::DecisionRow>(&row)) decisions.push_back(*d);
      if (auto* r = std::get_if<storage::RiskEventRow>(&row); r != nullptr && r->kind == "verdict") verdicts.push_back(*r);
    };
    outputs.state = &state;
    outputs.registry = &registry;
    auto strategy = std::make_unique<BuyWhenTold>();
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
  }
  // A trade every 30 s for `minutes` minutes, falling 0.05 % a minute with small bounces.
  void falling_market(int minutes) {
    for (int i = 0; i < 2 * minutes; ++i, ++step) {
      const double bounce = step % 4 == 3 ? 1.0004 : 1.0;
      const Decimal price = Decimal::from_double(30'000 * std::pow(0.99975, step) * bounce, 2);
      const core::Timestamp at = kStart + std::chrono::seconds(30 * step);
      testing::post_trade(kernel, price, Decimal::must("0.1"), at, step + 1);
      kernel.advance_clock_to(at + 1s);
    }
  }
  std::string buy() {
    strategy_->buy_next = true;
    falling_market(1);
    return verdicts.empty() ? std::string() : verdicts.back().verdict + " " + verdicts.back().rule;
  }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  storage::LocalStateBus state;
  prometheus::Registry registry;
  std::unique_ptr<Pipeline> pipeline;
  BuyWhenTold* strategy_ = nullptr;
  std::vector<storage::DecisionRow> decisions;
  std::vector<storage::RiskEventRow> verdicts;
  int step = 0;
};

TEST(PipelineRegime, IntentsAreJudgedByTheirSymbolsRegimeOnceTwoRunsAgree) {
  RegimeSession session;
  EXPECT_EQ(session.pipeline->summary().regimes.at("BTC/USDT"), "unknown (not read yet)");
  EXPECT_NE(session.metrics().find("tg4_regime{regime=\"unknown\",symbol=\"BTC/USDT\"} 1"), std::string::npos)
      << "exported from the start";
  const auto at_start = session.state.state(storage::keys::agent_output("regime", "BTC/USDT"));
  ASSERT_TRUE(at_start);
  EXPECT_EQ(at_start->find("\"time\""), std::string::npos) << "not read yet: no reading time, " << *at_start;
  EXPECT_NE(at_start->find("\"regime\":\"unknown\""), std::string::npos) << *at_start;
  session.falling_market(60);
  EXPECT_EQ(session.pipeline->summary().regimes.at("BTC/USDT").rfind("unknown (rules: ADX-14 is still warming up on the 15m bars", 0), 0u)
      << session.pipeline->summary().regimes.at("BTC/USDT");
  EXPECT_EQ(session.buy(), "REJECTED 4:confidence") << "no regime yet: unknown's minimum is 0.70";
  EXPECT_NE(session.verdicts.back().detail_json.find("\"regime\":\"unknown\""), std::string::npos)
      << session.verdicts.back().detail_json;
  EXPECT_TRUE(session.decisions.empty()) << "the rules' readings are recorded only when they change something";

  session.falling_market(9 * 60);  // the 15m ADX, RSI and Choppiness are warm after ~7 hours
  ASSERT_FALSE(session.decisions.empty());
  const storage::DecisionRow& row = session.decisions.back();
  EXPECT_EQ(row.agent, "regime");
  EXPECT_EQ(row.provider, "rules");
  EXPECT_EQ(row.action, "trending_bear") << row.parsed_json;
  EXPECT_EQ(row.session_id, "r1");
  EXPECT_NE(row.parsed_json.find("\"risk_regime\":\"bear\""), std::string::npos) << row.parsed_json;

  EXPECT_EQ(session.buy(), "APPROVED none") << "trending's minimum is 0.55";
  EXPECT_NE(session.verdicts.back().detail_json.find("\"regime\":\"bear\""), std::string::npos)
      << "the verdict records the regime it judged by: " << session.verdicts.back().detail_json;

  const std::string line = session.pipeline->summary().regimes.at("BTC/USDT");
  EXPECT_EQ(line.rfind("trending_bear ", 0), 0u) << line;
  EXPECT_NE(line.find("(rules)"), std::string::npos) << line;
  EXPECT_EQ(session.pipeline->status_json().at("regimes").at("BTC/USDT").as_string(), line);
  const std::string metrics = session.metrics();
  EXPECT_NE(metrics.find("tg4_regime{regime=\"trending_bear\",symbol=\"BTC/USDT\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("tg4_regime{regime=\"unknown\",symbol=\"BTC/USDT\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("tg4_regime_changes_total{regime=\"trending_bear\",symbol=\"BTC/USDT\"}"), std::string::npos);
  const auto key = session.state.state(storage::keys::agent_output("regime", "BTC/USDT"));
  ASSERT_TRUE(key);
  EXPECT_NE(key->find("\"regime\":\"trending_bear\""), std::string::npos) << *key;
  EXPECT_NE(key->find("\"since\":"), std::string::npos) << *key;
  EXPECT_NE(key->find("\"time\":"), std::string::npos) << *key;
}

TEST(PipelineRegime, WithDetectionOffEveryIntentIsJudgedAsUnknown) {
  RegimeSession session(false);
  session.falling_market(9 * 60);
  EXPECT_TRUE(session.decisions.empty());
  EXPECT_TRUE(session.pipeline->summary().regimes.empty());
  EXPECT_EQ(session.buy(), "REJECTED 4:confidence");
}

TEST(PipelineRegime, AnUntrackedRegimeTimeframeIsRefusedAtCreation) {
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  PipelineOptions options;
  options.agents.regime_timeframe_minutes = 30;
  const auto pipeline = Pipeline::create(kernel, options, {});
  ASSERT_FALSE(pipeline);
  EXPECT_NE(pipeline.error().message.find("agents.regime_timeframe_minutes: 30 is not a tracked timeframe"),
            std::string::npos)
      << pipeline.error().message;
}

}  // namespace
}  // namespace tg4::kernel
