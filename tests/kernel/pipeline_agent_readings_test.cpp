// The technical analysis agent through the pipeline (its rules, the default): every minute the 5m
// bars are read; the latest reading of each symbol is shown, exported, kept under its state key and
// recorded when its bias changes. An operator can run it (and the regime agent) at once.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "agents/llm_advisor.hpp"
#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"
#include "storage/local_state_bus.hpp"
#include "support/eventually.hpp"
#include "support/fake_llm_server.hpp"

namespace tg4::kernel {
namespace {

using core::Decimal;
using namespace std::chrono_literals;
using testing::kStart;

class Idle final : public strategy::Strategy {
 public:
  Idle() : Strategy(strategy::Params{}) {}
  std::string_view name() const override { return "idle"; }
};

struct TechnicalSession {
  explicit TechnicalSession(bool analysis = true) {
    PipelineOptions options;
    options.scope = {"t1", "paper"};
    options.symbols = {"BTC/USDT"};
    options.reconcile_interval = 0s;
    options.agents.technical_analysis = analysis;
    PipelineOutputs outputs;
    outputs.record = [this](storage::Row row) {
      if (auto* d = std::get_if<storage::DecisionRow>(&row);
          d != nullptr && d->agent == "technical")
        rows.push_back(*d);
    };
    outputs.state = &state;
    outputs.registry = &registry;
    outputs.strategy = std::make_unique<Idle>();
    pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
    testing::start_pipeline(kernel, *pipeline);
  }
  // A trade every 30 s for `minutes` minutes, falling ever faster (a steady fall slows the MACD
  // line's: its histogram turns positive), with small bounces.
  void falling_market(int minutes) {
    for (int i = 0; i < 2 * minutes; ++i, ++step) {
      const double bounce = step % 4 == 3 ? 1.0004 : 1.0;
      const Decimal price = Decimal::from_double((30'000 - 0.02 * step * step) * bounce, 2);
      const core::Timestamp at = kStart + std::chrono::seconds(30 * step);
      testing::post_trade(kernel, price, Decimal::must("0.1"), at, step + 1);
      kernel.advance_clock_to(at + 1s);
    }
  }
  std::string line() const { return pipeline->summary().technicals.at("BTC/USDT"); }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }
  // An operator action, run on the kernel thread as the API runs it.
  core::Result<boost::json::object> run_agent(const std::string& name) {
    std::optional<core::Result<boost::json::object>> answer;
    kernel.post(Task([&] { answer = pipeline->run_agent(name); }));
    kernel.run_until_empty();
    return *answer;
  }

  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  storage::LocalStateBus state;
  prometheus::Registry registry;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<storage::DecisionRow> rows;
  int step = 0;
};

TEST(PipelineTechnical, ReadsEachSymbolEveryMinuteAndRecordsChangesOfBias) {
  TechnicalSession session;
  session.falling_market(30);
  EXPECT_EQ(session.line().rfind("unknown (rules: RSI-14 is still warming up on the 5m bars", 0),
            0u)
      << session.line();
  EXPECT_TRUE(session.rows.empty()) << "a reading that is not known is no change";
  EXPECT_NE(session.metrics().find("tg4_technical_bias{symbol=\"BTC/USDT\"} 0"), std::string::npos);

  session.falling_market(4 *
                         60);  // MACD (26 + 9 bars) and ADX are warm after about 3 hours of 5m bars
  ASSERT_EQ(session.rows.size(), 1u) << "one change: unknown -> the rules' bias";
  const storage::DecisionRow& row = session.rows.front();
  EXPECT_EQ(row.provider, "rules");
  EXPECT_EQ(row.action, "short") << row.parsed_json;
  EXPECT_EQ(row.session_id, "t1");
  EXPECT_NE(row.parsed_json.find("\"changed\":true"), std::string::npos) << row.parsed_json;
  EXPECT_NE(row.parsed_json.find("\"trend\":{\"direction\":\"down\""), std::string::npos)
      << row.parsed_json;

  const std::string line = session.line();
  EXPECT_EQ(line.rfind("short ", 0), 0u) << line;
  EXPECT_NE(line.find("(rules): trend down"), std::string::npos) << line;
  EXPECT_NE(line.find("support "), std::string::npos) << line;
  EXPECT_EQ(session.pipeline->status_json().at("technicals").at("BTC/USDT").as_string(), line);
  const std::string metrics = session.metrics();
  EXPECT_NE(metrics.find("tg4_technical_bias{symbol=\"BTC/USDT\"} -1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tg4_technical_confidence{symbol=\"BTC/USDT\"} 0."), std::string::npos);
  const auto key = session.state.state(storage::keys::agent_output("technical", "BTC/USDT"));
  ASSERT_TRUE(key);
  EXPECT_NE(key->find("\"bias\":\"short\""), std::string::npos) << *key;
  EXPECT_NE(key->find("\"known\":true"), std::string::npos) << *key;
}

TEST(PipelineTechnical, OffItReadsNothing) {
  TechnicalSession session(false);
  session.falling_market(4 * 60);
  EXPECT_TRUE(session.rows.empty());
  EXPECT_TRUE(session.pipeline->summary().technicals.empty());
  EXPECT_FALSE(session.state.state(storage::keys::agent_output("technical", "BTC/USDT")));
  const auto refused = session.run_agent("technical");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "agent 'technical': agents.technical_analysis is false");
}

TEST(PipelineTechnical, AnOperatorRunsTheRegimeAndTechnicalAgentsAtOnce) {
  TechnicalSession session;
  const auto before_data = session.run_agent("technical");
  ASSERT_TRUE(before_data) << before_data.error().message;
  EXPECT_TRUE(before_data->at("symbols").as_array().empty()) << "no market data: nobody asked";

  session.falling_market(1);
  const auto technical = session.run_agent("technical");
  ASSERT_TRUE(technical) << technical.error().message;
  EXPECT_EQ(technical->at("agent").as_string(), "technical");
  EXPECT_EQ(technical->at("symbols").as_array().size(), 1u);
  const auto key = session.state.state(storage::keys::agent_output("technical", "BTC/USDT"));
  ASSERT_TRUE(key);
  EXPECT_NE(key->find("RSI-14 is still warming up"), std::string::npos) << "read at once: " << *key;
  const auto regime = session.run_agent("regime");
  ASSERT_TRUE(regime) << regime.error().message;
  EXPECT_EQ(regime->at("agent").as_string(), "regime");

  const auto decision = session.run_agent("decision");
  ASSERT_FALSE(decision);
  EXPECT_NE(decision.error().message.find(
                "the agents run by hand are regime, technical, sentiment and rebalance"),
            std::string::npos)
      << decision.error().message;
  const auto unknown = session.run_agent("sentiment!");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message.rfind("agent 'sentiment!': ", 0), 0u)
      << unknown.error().message;
}

// One OpenAI-style model on `server`, answering `reply`; `search`: a sentiment source.
core::LlmSection one_model(tg4::testing::FakeLlmServer& server, const std::string& model,
                           const std::string& reply, bool search = false) {
  core::LlmSection llm;
  llm.enabled = true;
  llm.timeout = std::chrono::milliseconds(3000);
  llm.max_retries = 0;
  core::LlmProvider provider;
  provider.name = search ? "searcher" : "gpt";
  provider.kind = core::LlmProviderKind::kOpenAi;
  provider.base_url = server.base_url_openai();
  provider.model = model;
  provider.api_key = "sk-test";
  provider.search = search;
  llm.providers.push_back(provider);
  server.set_reply_for_model(model, tg4::testing::LlmBehaviour::reply(reply));
  return llm;
}

// The decision agent's models are shown what the technical agent reads (real HTTP to a fake model
// server): llm_consensus asks at each closed 1m bar, and once the 1m technicals are warm the
// question carries them.
TEST(PipelineTechnical, TheDecisionModelsAreShownTheTechnicalReading) {
  tg4::testing::FakeLlmServer server;
  const core::LlmSection llm = one_model(server, "m1", R"({"action":"HOLD","confidence":0.5})");

  PipelineOptions options;
  options.scope = {"t2", "paper"};
  options.symbols = {"BTC/USDT"};
  options.reconcile_interval = 0s;
  options.strategy = "llm_consensus";
  options.strategy_params = {{"timeframe", "1"}};
  options.agents.min_valid_answers = 1;
  options.agents.regime_detection = false;
  options.agents.technical_timeframe_minutes = 1;
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  PipelineOutputs outputs;
  outputs.advisor = std::make_unique<agents::LlmAdvisor>(llm, options.agents, nullptr);
  std::unique_ptr<Pipeline> pipeline =
      Pipeline::create(kernel, options, std::move(outputs)).value();
  testing::start_pipeline(kernel, *pipeline);

  const auto asked_with_technicals = [&] {
    for (const auto& request : server.requests()) {
      if (request.body.find("Technical analysis (1m bars, as of ") != std::string::npos)
        return true;
    }
    return false;
  };
  // A trade every 30 s; the answers come back through the kernel queue, run with each trade.
  int step = 0;
  const auto trade = [&] {
    const core::Timestamp at = kStart + std::chrono::seconds(30 * step);
    testing::post_trade(kernel, Decimal::from_double(30'000 - 0.02 * step * step, 2),
                        Decimal::must("0.1"), at, step + 1);
    kernel.advance_clock_to(at + 1s);
    ++step;
  };
  while (step < 2 * 30) trade();  // half an hour: the 1m RSI, MACD and ADX still warm up
  EXPECT_FALSE(asked_with_technicals()) << "no known reading yet, nothing to show";
  const bool shown = tg4::testing::eventually(
      [&] {
        trade();
        return asked_with_technicals();
      },
      20s);
  EXPECT_TRUE(shown) << server.requests().size() << " questions, none with the technical reading";
}

// The sentiment agent through the pipeline (real HTTP to a fake search-capable model): asked for
// every symbol at start, before any market data; the reading is shown, exported, kept under its
// state key and recorded with each model's answer; an operator can ask again at once.
TEST(PipelineSentiment, ReadsEachSymbolAndRecordsTheModelsAnswers) {
  tg4::testing::FakeLlmServer server;
  const core::LlmSection llm = one_model(
      server, "s1",
      R"({"bias":"long","score":0.5,"confidence":0.7,"key_events":["ETF inflows"],"reasoning":"upbeat"})",
      true);

  PipelineOptions options;
  options.scope = {"t3", "paper"};
  options.symbols = {"BTC/USDT"};
  options.reconcile_interval = 0s;
  options.agents.technical_analysis = false;
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  storage::LocalStateBus state;
  prometheus::Registry registry;
  std::vector<storage::DecisionRow> rows;
  auto advisor = std::make_unique<agents::LlmAdvisor>(llm, options.agents, nullptr);
  PipelineOutputs outputs;
  outputs.sentiment_agent = advisor.get();
  outputs.advisor = std::move(advisor);
  outputs.state = &state;
  outputs.registry = &registry;
  outputs.strategy = std::make_unique<Idle>();
  outputs.record = [&](storage::Row row) {
    if (auto* d = std::get_if<storage::DecisionRow>(&row); d != nullptr && d->agent == "sentiment")
      rows.push_back(*d);
  };
  std::unique_ptr<Pipeline> pipeline =
      Pipeline::create(kernel, options, std::move(outputs)).value();
  testing::start_pipeline(kernel, *pipeline);

  const auto key = [&] {
    return state.state(storage::keys::agent_output("sentiment", "BTC/USDT")).value_or("");
  };
  const bool read = tg4::testing::eventually(
      [&] {
        kernel.run_until_empty();  // the answer comes back through the kernel queue
        return key().find("\"known\":true") != std::string::npos;
      },
      10s);
  ASSERT_TRUE(read) << key();
  EXPECT_NE(key().find("\"bias\":\"long\""), std::string::npos) << key();
  EXPECT_NE(key().find("\"key_events\":[\"ETF inflows\"]"), std::string::npos) << key();
  ASSERT_EQ(rows.size(), 2u) << "the model's answer and the reading";
  EXPECT_EQ(rows[0].model, "s1");
  EXPECT_EQ(rows[1].provider, "consensus");
  EXPECT_EQ(rows[1].action, "long");
  const std::string metrics = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(metrics.find("tg4_sentiment_score{symbol=\"BTC/USDT\"} 0.5"), std::string::npos)
      << metrics;
  kernel.advance_clock_to(kStart + 2s);  // a tick refreshes the summary
  EXPECT_EQ(pipeline->summary().sentiments.at("BTC/USDT"),
            "long +0.50 at 0.70 (llm 1 of 1): ETF inflows");

  std::optional<core::Result<boost::json::object>> asked;
  kernel.post(Task([&] { asked = pipeline->run_agent("sentiment"); }));
  kernel.run_until_empty();
  ASSERT_TRUE(asked && *asked) << (asked ? asked->error().message : "not run");
  const bool again = tg4::testing::eventually(
      [&] {
        kernel.run_until_empty();
        return rows.size() == 4u;
      },
      10s);
  EXPECT_TRUE(again) << rows.size() << " rows: each run that asks a model is recorded";
}

// With models, the technical agent is asked only when a 5m bar has closed since it was last asked
// (the indicators cannot change in between), not every minute; an operator's run asks regardless.
TEST(PipelineTechnical, TheModelsAreAskedOnlyWhenABarHasClosed) {
  tg4::testing::FakeLlmServer server;
  const core::LlmSection llm =
      one_model(server, "t1",
                R"({"trend":{"direction":"down","strength":0.4},"momentum":-0.2,"bias":"short",)"
                R"("confidence":0.6})");
  PipelineOptions options;
  options.scope = {"t4", "paper"};
  options.symbols = {"BTC/USDT"};
  options.reconcile_interval = 0s;
  options.agents.min_valid_answers = 1;
  options.agents.regime_detection = false;
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  storage::LocalStateBus state;
  auto advisor = std::make_unique<agents::LlmAdvisor>(llm, options.agents, nullptr);
  PipelineOutputs outputs;
  outputs.technical_agent = advisor.get();
  outputs.advisor = std::move(advisor);
  outputs.state = &state;
  outputs.strategy = std::make_unique<Idle>();
  std::unique_ptr<Pipeline> pipeline =
      Pipeline::create(kernel, options, std::move(outputs)).value();
  testing::start_pipeline(kernel, *pipeline);
  for (int step = 0; step < 2 * 30; ++step) {  // half an hour, a trade every 30 s
    const core::Timestamp at = kStart + std::chrono::seconds(30 * step);
    testing::post_trade(kernel, Decimal::from_double(30'000 - step, 2), Decimal::must("0.1"), at,
                        step + 1);
    kernel.advance_clock_to(at + 1s);
  }
  // One more, by hand, queued behind every earlier question: once its reading is back, all are.
  std::optional<core::Result<boost::json::object>> ran;
  kernel.post(Task([&] { ran = pipeline->run_agent("technical"); }));
  kernel.run_until_empty();
  ASSERT_TRUE(ran && *ran);
  const std::string last_time = "\"time\":\"" + core::format_rfc3339(clock.now(), 0) + "\"";
  const auto key = [&] {
    return state.state(storage::keys::agent_output("technical", "BTC/USDT")).value_or("");
  };
  ASSERT_TRUE(tg4::testing::eventually(
      [&] {
        kernel.run_until_empty();
        return key().find(last_time) != std::string::npos &&
               key().find("\"source\":\"llm 1 of 1\"") != std::string::npos;
      },
      10s))
      << key();
  // Asked at 00:01 (the first minute with market data, no 5m bar yet), then once after each of the
  // five 5m bars closed by 00:29:31, then by hand: 7, where asking every minute would have been 30.
  EXPECT_EQ(server.request_count(), 7u);
}

TEST(PipelineSentiment, WithoutASentimentAgentItCannotBeRun) {
  TechnicalSession session;
  EXPECT_TRUE(session.pipeline->summary().sentiments.empty());
  const auto refused = session.run_agent("sentiment");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "agent 'sentiment': no sentiment agent (it needs llm.enabled and a provider with "
            "search: true)");
}

}  // namespace
}  // namespace tg4::kernel
