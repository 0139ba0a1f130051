// The coordinator through the pipeline: an advice that would open a position against the other
// agents' views waits for the coordinator's verdict (its rules by default) before the strategy
// gets it; a supported advice, an exit and everything with agents.coordinator false pass as they
// come; no verdict within agents.coordinator_timeout is wait, and a late one is ignored. Each
// verdict is counted, recorded and shown. The readings come from agents of our own that answer a
// set bias at once; the coordinator that never answers until told is one too.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <functional>
#include <mutex>
#include <optional>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"
#include "support/eventually.hpp"

namespace tg4::kernel {
namespace {

using agents::Bias;
using core::Decimal;
using strategy::AdviceAction;
using namespace std::chrono_literals;
using testing::kStart;

// Asks for advice when told; keeps every advice it is handed.
class AdviceTaker final : public strategy::Strategy {
 public:
  AdviceTaker() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "advice_taker"; }
  void on_start(strategy::StrategyContext& ctx) override { ctx_ = &ctx; }
  void on_advice(strategy::StrategyContext&, const strategy::Advice& advice) override {
    received.push_back(advice);
  }
  strategy::StrategyContext* ctx_ = nullptr;
  std::vector<strategy::Advice> received;
};

// Answers every question with `action` at once.
class FixedAdvisor final : public strategy::Advisor {
 public:
  void ask(const strategy::AdviceRequest& request, const market::SymbolMarket&,
           strategy::AdviceCallback answer) override {
    strategy::Advice advice;
    advice.symbol = request.symbol;
    advice.action = action;
    advice.confidence = 0.7;
    advice.source = "fixed";
    advice.asked = request.time;
    answer(advice);
  }
  AdviceAction action = AdviceAction::kHold;
};

class FixedTechnical final : public agents::TechnicalAgent {
 public:
  explicit FixedTechnical(Bias bias) : bias_(bias) {}
  void analyse(const agents::TechnicalRequest& request, const market::SymbolMarket&,
               agents::TechnicalCallback answer) override {
    agents::TechnicalReading reading;
    reading.symbol = request.symbol;
    reading.known = true;
    reading.bias = bias_;
    reading.confidence = 0.7;
    reading.source = "fixed";
    reading.time = request.time;
    answer(reading);
  }

 private:
  Bias bias_;
};

class FixedSentiment final : public agents::SentimentAgent {
 public:
  explicit FixedSentiment(Bias bias) : bias_(bias) {}
  void sense(const agents::SentimentRequest& request, const market::SymbolMarket*,
             agents::SentimentCallback answer) override {
    agents::SentimentReading reading;
    reading.symbol = request.symbol;
    reading.known = true;
    reading.bias = bias_;
    reading.score = bias_ == Bias::kLong ? 0.5 : -0.5;
    reading.confidence = 0.6;
    reading.source = "fixed";
    reading.time = request.time;
    answer(reading);
  }

 private:
  Bias bias_;
};

// Keeps every question and its answer callback until the test answers.
class SilentCoordinator final : public agents::CoordinatorAgent {
 public:
  void coordinate(const agents::CoordinationRequest& request,
                  agents::CoordinationCallback answer) override {
    asked.push_back(request);
    answers.push_back(std::move(answer));
  }
  std::vector<agents::CoordinationRequest> asked;
  std::vector<agents::CoordinationCallback> answers;
};

// SilentCoordinator as a model would be: its answers take real time (LlmAdvisor).
class RealTimeCoordinator final : public agents::CoordinatorAgent {
 public:
  void coordinate(const agents::CoordinationRequest& request,
                  agents::CoordinationCallback answer) override {
    const std::lock_guard lock(mutex);
    asked.push_back(request);
    answers.push_back(std::move(answer));
  }
  bool answers_in_real_time() const override { return true; }
  std::mutex mutex;
  std::vector<agents::CoordinationRequest> asked;
  std::vector<agents::CoordinationCallback> answers;
};

struct CoordinatorSetup {
  std::optional<Bias> technical;
  std::optional<Bias> sentiment;
  agents::CoordinatorAgent* coordinator = nullptr;
  bool on = true;
  std::chrono::milliseconds timeout{10'000};  // agents.coordinator_timeout
};

struct CoordinatorSession {
  explicit CoordinatorSession(CoordinatorSetup setup) {
    PipelineOptions options;
    options.scope = {"c1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.regime_detection = false;  // the regime's side is coordinator_test's
    options.agents.technical_analysis = setup.technical.has_value();
    options.agents.coordinator = setup.on;
    options.agents.coordinator_timeout = setup.timeout;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* d = std::get_if<storage::DecisionRow>(&row);
          d != nullptr && d->agent == "coordinator")
        rows.push_back(*d);
    };
    outputs.registry = &registry;
    auto advisor = std::make_unique<FixedAdvisor>();
    advisor_ = advisor.get();
    outputs.advisor = std::move(advisor);
    auto strategy = std::make_unique<AdviceTaker>();
    strategy_ = strategy.get();
    outputs.strategy = std::move(strategy);
    if (setup.technical) {
      technical_.emplace(*setup.technical);
      outputs.technical_agent = &*technical_;
    }
    if (setup.sentiment) {
      sentiment_.emplace(*setup.sentiment);
      outputs.sentiment_agent = &*sentiment_;
    }
    outputs.coordinator_agent = setup.coordinator;
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);  // the sentiment is read at start
    testing::post_trade(kernel, Decimal::must("30000"), Decimal::must("0.1"), kStart + 1s, 1);
    kernel.advance_clock_to(kStart + 61s);  // the technicals are read once there is market data
    kernel.run_until_empty();
  }

  // The strategy asks; the advisor answers `action` through the kernel queue.
  void ask(AdviceAction action) {
    advisor_->action = action;
    kernel.post(Task([this] { strategy_->ctx_->ask_advice("BTC/USDT", 1); }));
    kernel.run_until_empty();
  }
  const std::vector<strategy::Advice>& received() const { return strategy_->received; }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }
  // The verdicts counted, every source and verdict together.
  double verdicts_counted() const {
    double sum = 0;
    for (const auto& family : registry.Collect()) {
      if (family.name != "tg4_coordinator_verdicts_total") continue;
      for (const auto& metric : family.metric) sum += metric.counter.value;
    }
    return sum;
  }
  std::string last_coordination() {
    kernel.advance_clock_to(clock.now() + 1s);  // a tick publishes the summary
    return pipeline->summary().last_coordination;
  }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  prometheus::Registry registry;
  std::optional<FixedTechnical> technical_;
  std::optional<FixedSentiment> sentiment_;
  FixedAdvisor* advisor_ = nullptr;
  AdviceTaker* strategy_ = nullptr;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<storage::DecisionRow> rows;
};

constexpr const char* kWaitByRules =
    "tg4_coordinator_verdicts_total{source=\"rules\",verdict=\"wait\"} 1";

TEST(PipelineCoordinator, ABuyTheTechnicalsOpposeWaitsWithTheRules) {
  CoordinatorSession session({Bias::kShort, std::nullopt});
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(session.received().size(), 1u);
  const strategy::Advice& advice = session.received().back();
  EXPECT_EQ(advice.action, AdviceAction::kHold);
  EXPECT_EQ(advice.source, "fixed; coordinator (rules): wait (technical short 0.70 opposes)");
  ASSERT_EQ(session.rows.size(), 1u) << "the rules' verdict";
  EXPECT_EQ(session.rows[0].provider, "rules");
  EXPECT_EQ(session.rows[0].action, "wait");
  EXPECT_NE(session.rows[0].parsed_json.find("\"applied\":true"), std::string::npos)
      << session.rows[0].parsed_json;
  EXPECT_NE(session.metrics().find(kWaitByRules), std::string::npos) << session.metrics();
  const std::string line = session.last_coordination();
  EXPECT_NE(line.find("BTC/USDT BUY -> wait (rules): technical short 0.70 opposes"),
            std::string::npos)
      << line;
  EXPECT_EQ(session.pipeline->status_json().at("last_coordination").as_string(), line);
}

// A BUY the technicals support, a SELL that cannot open a position on spot, a CLOSE: not judged.
TEST(PipelineCoordinator, SupportedAdviceAndExitsPassUntouched) {
  CoordinatorSession session({Bias::kLong, std::nullopt});
  session.ask(AdviceAction::kBuy);
  session.ask(AdviceAction::kSell);
  session.ask(AdviceAction::kClose);
  ASSERT_EQ(session.received().size(), 3u);
  EXPECT_EQ(session.received()[0].action, AdviceAction::kBuy);
  EXPECT_EQ(session.received()[1].action, AdviceAction::kSell);
  EXPECT_EQ(session.received()[2].action, AdviceAction::kClose);
  for (const strategy::Advice& advice : session.received()) EXPECT_EQ(advice.source, "fixed");
  EXPECT_TRUE(session.rows.empty());
  EXPECT_EQ(session.verdicts_counted(), 0.0) << session.metrics();
  EXPECT_EQ(session.last_coordination(), "");
}

// Every verdict's series is there from the start, at zero (a dashboard says "none yet"); the
// models' sources only with a models' coordinator.
TEST(PipelineCoordinator, EveryVerdictIsCountedFromZero) {
  CoordinatorSession rules({Bias::kLong, std::nullopt});
  const std::string text = rules.metrics();
  for (const char* verdict : {"proceed", "wait", "abort", "modify"}) {
    EXPECT_NE(text.find("tg4_coordinator_verdicts_total{source=\"rules\",verdict=\"" +
                        std::string(verdict) + "\"} 0"),
              std::string::npos)
        << verdict << "\n"
        << text;
  }
  EXPECT_EQ(text.find("source=\"llm\""), std::string::npos);
  SilentCoordinator models;
  CoordinatorSession by_models({Bias::kLong, std::nullopt, &models});
  EXPECT_NE(by_models.metrics().find(
                "tg4_coordinator_verdicts_total{source=\"timeout\",verdict=\"wait\"} 0"),
            std::string::npos);
  CoordinatorSession off({Bias::kLong, std::nullopt, nullptr, false});
  EXPECT_EQ(off.metrics().find("tg4_coordinator_verdicts_total{"), std::string::npos);
}

TEST(PipelineCoordinator, OneOpposingAndOneSupportingHalveTheSizeTwoOpposingAbort) {
  CoordinatorSession modify({Bias::kShort, Bias::kLong});
  modify.ask(AdviceAction::kBuy);
  ASSERT_EQ(modify.received().size(), 1u);
  EXPECT_EQ(modify.received()[0].action, AdviceAction::kBuy);
  EXPECT_DOUBLE_EQ(modify.received()[0].size_factor, 0.5);
  ASSERT_EQ(modify.rows.size(), 1u);
  EXPECT_EQ(modify.rows[0].action, "modify");

  CoordinatorSession abort({Bias::kShort, Bias::kShort});
  abort.ask(AdviceAction::kBuy);
  ASSERT_EQ(abort.received().size(), 1u);
  EXPECT_EQ(abort.received()[0].action, AdviceAction::kHold);
  EXPECT_NE(
      abort.metrics().find("tg4_coordinator_verdicts_total{source=\"rules\",verdict=\"abort\"} 1"),
      std::string::npos);
}

TEST(PipelineCoordinator, OffNothingIsJudged) {
  CoordinatorSession session({Bias::kShort, Bias::kShort, nullptr, false});
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(session.received().size(), 1u);
  EXPECT_EQ(session.received()[0].action, AdviceAction::kBuy);
  EXPECT_TRUE(session.rows.empty());
}

// No verdict within agents.coordinator_timeout (10 s of the simulated clock): wait; the verdict
// that comes later is recorded (what its models cost) and ignored.
TEST(PipelineCoordinator, NoVerdictByTheDeadlineIsWaitAndALateOneIsIgnored) {
  SilentCoordinator coordinator;
  CoordinatorSession session({Bias::kShort, std::nullopt, &coordinator});
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(coordinator.asked.size(), 1u);
  EXPECT_EQ(coordinator.asked[0].conflict.why, "technical short 0.70 opposes");
  EXPECT_EQ(coordinator.asked[0].agent_views.size(), 1u);
  EXPECT_TRUE(session.received().empty()) << "the advice waits for the verdict";

  const core::Timestamp asked = session.clock.now();
  session.kernel.advance_clock_to(asked + 9s);
  EXPECT_TRUE(session.received().empty()) << "not yet at the deadline";
  session.kernel.advance_clock_to(asked + 10s);
  ASSERT_EQ(session.received().size(), 1u);
  EXPECT_EQ(session.received()[0].action, AdviceAction::kHold);
  EXPECT_NE(session.received()[0].source.find("coordinator (timeout): wait"), std::string::npos)
      << session.received()[0].source;
  EXPECT_NE(session.metrics().find(
                "tg4_coordinator_verdicts_total{source=\"timeout\",verdict=\"wait\"} 1"),
            std::string::npos)
      << session.metrics();
  ASSERT_EQ(session.rows.size(), 1u);
  EXPECT_EQ(session.rows[0].provider, "timeout");

  agents::Coordination late;
  late.symbol = "BTC/USDT";
  late.verdict = agents::CoordinatorVerdict::kProceed;
  late.source = "llm 1 of 1";
  late.by_models = true;
  strategy::AdviceVote vote;
  vote.agent = "coordinator";
  vote.provider = "gpt";
  vote.model = "m1";
  vote.action = "proceed";
  vote.cost_usd = Decimal::must("0.0003");
  late.votes.push_back(vote);
  coordinator.answers[0](late);
  session.kernel.run_until_empty();
  EXPECT_EQ(session.received().size(), 1u) << "the late verdict changes nothing";
  ASSERT_EQ(session.rows.size(), 3u) << "the late model's answer and verdict are recorded";
  EXPECT_EQ(session.rows[1].cost, Decimal::must("0.0003"));
  EXPECT_NE(session.rows[2].parsed_json.find("\"applied\":false"), std::string::npos)
      << session.rows[2].parsed_json;
  // Recorded against the proposal it judged, not a blank one.
  const auto late_row = boost::json::parse(session.rows[2].parsed_json).as_object();
  EXPECT_EQ(late_row.at("proposal").as_string(), "BUY") << session.rows[2].parsed_json;
  EXPECT_EQ(late_row.at("conflict").as_string(), "technical short 0.70 opposes")
      << session.rows[2].parsed_json;
  EXPECT_EQ(late_row.at("opposing").to_number<int>(), 1) << session.rows[2].parsed_json;
}

// A coordinator whose answers take real time (models) under a simulated clock (`tg4 demo`, which
// runs a minute of market in a second): its deadline is real time, so a verdict that comes within
// agents.coordinator_timeout of real time is applied however far the simulated clock ran meanwhile.
TEST(PipelineCoordinator, AModelsDeadlineIsRealTimeUnderASimulatedClock) {
  RealTimeCoordinator coordinator;
  CoordinatorSession session({Bias::kShort, std::nullopt, &coordinator, true, 30s});
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(coordinator.asked.size(), 1u);
  session.kernel.advance_clock_to(session.clock.now() + 10min);
  EXPECT_TRUE(session.received().empty()) << "10 simulated minutes are not 30 s of real time";

  agents::Coordination proceed;
  proceed.symbol = "BTC/USDT";
  proceed.verdict = agents::CoordinatorVerdict::kProceed;
  proceed.source = "llm 1 of 1";
  proceed.by_models = true;
  coordinator.answers[0](proceed);
  session.kernel.run_until_empty();
  ASSERT_EQ(session.received().size(), 1u);
  EXPECT_EQ(session.received()[0].action, AdviceAction::kBuy) << session.received()[0].source;
  EXPECT_NE(session.metrics().find(
                "tg4_coordinator_verdicts_total{source=\"llm\",verdict=\"proceed\"} 1"),
            std::string::npos)
      << session.metrics();
}

// ...and without a verdict the deadline passes in real time, however still the simulated clock.
TEST(PipelineCoordinator, AModelsDeadlinePassesInRealTimeUnderAStillSimulatedClock) {
  RealTimeCoordinator coordinator;
  CoordinatorSession session({Bias::kShort, std::nullopt, &coordinator, true, 200ms});
  const auto start = std::chrono::steady_clock::now();
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(coordinator.asked.size(), 1u);
  ASSERT_TRUE(tg4::testing::eventually([&] {
    session.kernel.run_until_empty();
    return !session.received().empty();
  }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_NE(session.received()[0].source.find("coordinator (timeout): wait"), std::string::npos)
      << session.received()[0].source;
}

// A newer advice for the symbol replaces the one waiting for its verdict (recorded so); the verdict
// on the newer one decides.
TEST(PipelineCoordinator, ANewerAdviceReplacesThePendingOne) {
  SilentCoordinator coordinator;
  CoordinatorSession session({Bias::kShort, std::nullopt, &coordinator});
  session.ask(AdviceAction::kBuy);
  session.ask(AdviceAction::kBuy);
  ASSERT_EQ(coordinator.asked.size(), 2u);
  ASSERT_EQ(session.rows.size(), 1u);
  EXPECT_EQ(session.rows[0].action, "replaced");
  agents::Coordination proceed;
  proceed.symbol = "BTC/USDT";
  proceed.verdict = agents::CoordinatorVerdict::kProceed;
  proceed.source = "llm 1 of 1";
  proceed.by_models = true;
  coordinator.answers[0](proceed);  // the replaced one's: ignored
  session.kernel.run_until_empty();
  EXPECT_TRUE(session.received().empty());
  coordinator.answers[1](proceed);
  session.kernel.run_until_empty();
  ASSERT_EQ(session.received().size(), 1u);
  EXPECT_EQ(session.received()[0].action, AdviceAction::kBuy);
  EXPECT_EQ(session.received()[0].source,
            "fixed; coordinator (llm 1 of 1): proceed (technical short 0.70 opposes)");
  EXPECT_NE(session.metrics().find(
                "tg4_coordinator_verdicts_total{source=\"llm\",verdict=\"proceed\"} 1"),
            std::string::npos);
  session.kernel.advance_clock_to(session.clock.now() + 20s);
  EXPECT_EQ(session.received().size(), 1u) << "no deadline left behind";
}

TEST(PipelineCoordinator, ItIsNotRunByHand) {
  CoordinatorSession session({Bias::kShort, std::nullopt});
  std::optional<core::Result<boost::json::object>> answer;
  session.kernel.post(Task([&] { answer = session.pipeline->run_agent("coordinator"); }));
  session.kernel.run_until_empty();
  ASSERT_TRUE(answer && !*answer);
  EXPECT_NE(answer->error().message.find("it runs when a trading decision would open or add to a "
                                         "position against the other agents' readings"),
            std::string::npos)
      << answer->error().message;
}

}  // namespace
}  // namespace tg4::kernel
