// `tg4 paper` trading `llm_consensus` with the LLM decision agents on (SPEC §6), end to end: the
// real binary on `tg4 sim` (deterministic market at 60x, so a 1-minute bar closes every second)
// asks five models, played by a FakeLlmServer in this process (OpenAI and Anthropic dialects over
// real HTTP on 127.0.0.1), on each closed bar. When they agree the strategy trades their consensus
// through the risk engine and the paper venue; every answer and verdict is in the store's decisions
// table, priced as the config prices tokens, and counted on the metrics endpoint. When the models
// answer garbage there are too few valid answers: the verdicts are HOLD, recorded with each model's
// error, and no llm_consensus order is placed.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "core/time.hpp"
#include "integration/cli_process.hpp"
#include "net/http_client.hpp"
#include "storage/batch.hpp"
#include "storage/store.hpp"
#include "support/child_process.hpp"
#include "support/fake_llm_server.hpp"

namespace {
namespace llm_paper {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using tg4::core::Decimal;
using tg4::testing::ChildProcess;
using tg4::testing::FakeLlmServer;
using tg4::testing::LlmBehaviour;
using tg4::testing::wait_until;

constexpr const char* kSymbol = "BTC/USDT";

struct Model {
  std::string provider;
  bool anthropic;
  std::string model;
  const char* input_usd_per_mtok;
  const char* output_usd_per_mtok;
  std::int64_t tokens_in, tokens_out;  // what the fake server reports for each answer
  Decimal cost;                        // = tokens_in x input + tokens_out x output, per 1M tokens
};

// 1200 x 3 + 80 x 15 = 4800 per 1M: 0.0048 USD; 900 x 1 + 60 x 5 = 1200: 0.0012; 1500 x 0.5 +
// 100 x 2 = 950: 0.00095; a local model is free.
const std::vector<Model> kModels = {
    {"openai_a", false, "gpt-alpha", "3", "15", 1200, 80, Decimal::must("0.0048")},
    {"anthropic_a", true, "claude-alpha", "1", "5", 900, 60, Decimal::must("0.0012")},
    {"openai_b", false, "gpt-beta", "3", "15", 1200, 80, Decimal::must("0.0048")},
    {"anthropic_b", true, "claude-beta", "0.5", "2", 1500, 100, Decimal::must("0.00095")},
    {"local_c", false, "llama-gamma", "0", "0", 700, 40, Decimal{}},
};

struct Record {
  std::string session;
  std::vector<tg4::storage::DecisionRow> decisions;  // newest first
  std::vector<tg4::storage::OrderRow> orders;
};

Record read_record(const std::string& store_url) {
  Record r;
  tg4::storage::OpenOptions options;
  options.migrate = false;  // a reader beside the running node
  options.create = false;
  auto store = tg4::storage::open_store(store_url, options);
  if (!store) return r;
  auto sessions = (*store)->sessions(1);
  if (!sessions || sessions->empty()) return r;
  r.session = sessions->front().session_id;
  if (auto rows = (*store)->decisions({r.session, "paper"}, 100000)) r.decisions = std::move(*rows);
  tg4::storage::OrderQuery query;
  query.scope = {r.session, "paper"};
  if (auto orders = (*store)->orders(query)) r.orders = std::move(*orders);
  return r;
}

std::vector<const tg4::storage::DecisionRow*> verdicts(const Record& r) {
  std::vector<const tg4::storage::DecisionRow*> out;
  for (const auto& row : r.decisions) {
    if (row.provider == "consensus" || row.provider == "rules") out.push_back(&row);
  }
  return out;
}

std::size_t llm_orders(const Record& r) {
  std::size_t n = 0;
  for (const auto& order : r.orders) n += order.source == "llm_consensus" ? 1 : 0;
  return n;
}

// The value of the first sample of `name` whose labels contain every one of `labels`; -1 if none.
double sample(const std::string& exposition, const std::string& name,
              const std::vector<std::string>& labels) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "{", 0) != 0) continue;
    bool all = true;
    for (const auto& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

class LlmPaper : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("tg4_llm_paper_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_url_ = "sqlite:" + (dir_ / "tg4.db").string();
    sim_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            TG4_BINARY, "--metrics", "127.0.0.1:0", "sim", "--port", "0", "--deterministic",
            "--start", tg4::core::format_rfc3339(tg4::core::LiveClock().now(), 0), "--speed", "60",
            "--rate", "20", "--seed", "7", "--history-days", "1", "--symbols", kSymbol},
        dir_ / "sim.out", dir_ / "sim.err");
    ASSERT_TRUE(wait_until(60s, [&] {
      return tg4::testing::file_text(dir_ / "sim.out").find('\n') != std::string::npos;
    })) << tg4::testing::file_text(dir_ / "sim.err");
    const std::string out = tg4::testing::file_text(dir_ / "sim.out");
    url_ = out.substr(0, out.find('\n'));
  }

  void write_config(const std::string& agents = {}) {
    std::string yaml =
        std::string("symbols: [") + kSymbol +
        "]\n"
        "strategy:\n  name: llm_consensus\n  params: {timeframe: \"1\", confidence: \"0.9\"}\n"
        "api:\n  enabled: false\n"
        // The simulator runs 60x from now: its trades are stamped ahead of this host's clock.
        "feed:\n  future_trade_tolerance: 0s\n"
        "metrics:\n  address: 127.0.0.1:0\n"
        "storage:\n  url: " +
        store_url_ +
        "\n"
        "llm:\n"
        "  enabled: true\n"
        "  timeout: 5s\n"
        "  max_retries: 0\n"
        "  retry_backoff: 0s\n"
        "  providers:\n";
    for (const Model& m : kModels) {
      const bool local = m.provider.starts_with("local");
      yaml += "    - {name: " + m.provider + ", kind: " + (m.anthropic ? "anthropic" : "openai") +
              ", base_url: \"" +
              (m.anthropic ? llm_.base_url_anthropic() : llm_.base_url_openai()) +
              "\", model: " + m.model +
              (local ? ", local: true" : ", api_key: \"sk-test-" + m.provider + "\"") +
              ", input_usd_per_mtok: " + m.input_usd_per_mtok +
              ", output_usd_per_mtok: " + m.output_usd_per_mtok + "}\n";
    }
    yaml += agents;
    std::ofstream(dir_ / "tg4.yaml") << yaml;
  }

  void answer_for_all(const std::string& content) {
    for (const Model& m : kModels) {
      llm_.set_reply_for_model(m.model, LlmBehaviour::reply(content, m.tokens_in, m.tokens_out));
    }
  }

  void start_paper() {
    paper_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{TG4_BINARY, "--config", (dir_ / "tg4.yaml").string(), "paper",
                                 "--url", url_, "--out", (dir_ / "out").string()},
        dir_ / "paper.out", dir_ / "paper.err");
    ASSERT_TRUE(paper_->started());
  }

  // The node's metrics page, from the URL it logs when it runs.
  std::string scrape_metrics() {
    const std::string log = tg4::testing::file_text(dir_ / "paper.err");
    const auto at = log.find("metrics http://");
    if (at == std::string::npos) return {};
    const auto begin = at + std::string("metrics ").size();
    const auto end = log.find_first_of(",\n", begin);
    tg4::net::HttpClientOptions options;
    tg4::net::HttpClient client(std::move(options));
    auto response = client.get(log.substr(begin, end - begin));
    return response && response->status == 200 ? response->body : std::string();
  }

  int stop_paper() {
    paper_->signal(SIGTERM);
    return paper_->wait(60s);
  }

  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  FakeLlmServer llm_;
  fs::path dir_;
  std::string store_url_, url_;
  std::unique_ptr<ChildProcess> sim_, paper_;
};

TEST_F(LlmPaper, FiveModelsAgreeingOnBuyMakeTheStrategyTradeAndEveryAnswerIsRecorded) {
  // No prices: the strategy sets its own stop and target; 0.85 + 0.15 (unanimous) = 1.0 passes the
  // risk engine's 0.70.
  answer_for_all(
      R"({"action":"BUY","confidence":0.85,"size_pct":5,"reasoning":"BTC/USDT is trending up"})");
  write_config();
  start_paper();
  if (HasFatalFailure()) return;

  Record record;
  const bool traded = wait_until(90s, [&] {
    record = read_record(store_url_);
    bool consensus = false;
    for (const auto* v : verdicts(record)) consensus = consensus || v->provider == "consensus";
    return consensus && llm_orders(record) > 0;
  });
  // Before stopping: the metrics page counts the models' calls and the verdicts.
  const std::string metrics = scrape_metrics();
  ASSERT_TRUE(traded) << "no consensus verdict and llm_consensus order in the store:\n"
                      << tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_EQ(stop_paper(), 0) << tg4::testing::file_text(dir_ / "paper.err");
  record = read_record(store_url_);

  ASSERT_FALSE(metrics.empty()) << "no metrics page at the URL in the log:\n"
                                << tg4::testing::file_text(dir_ / "paper.err");
  for (const Model& m : kModels) {
    EXPECT_GE(sample(metrics, "tg4_llm_requests_total",
                     {"provider=\"" + m.provider + "\"", "outcome=\"ok\""}),
              1)
        << m.provider << "\n"
        << metrics;
  }
  EXPECT_GE(sample(metrics, "tg4_decisions_total", {"source=\"llm\"", "action=\"BUY\""}), 1)
      << metrics;

  // Each cycle: one row per model, one verdict. Cycles can be cut by the stop, so count per model.
  const auto all_verdicts = verdicts(record);
  ASSERT_FALSE(all_verdicts.empty());
  std::map<std::string, int> rows_of;
  for (const auto& row : record.decisions) {
    EXPECT_EQ(row.agent, "decision");
    EXPECT_EQ(row.symbol, kSymbol);
    EXPECT_EQ(row.mode, "paper");
    EXPECT_EQ(row.prompt_hash.size(), 64u);
    if (row.provider == "consensus" || row.provider == "rules") continue;
    ++rows_of[row.model];
    const Model* model = nullptr;
    for (const Model& m : kModels) model = m.model == row.model ? &m : model;
    ASSERT_NE(model, nullptr) << "a row of an unknown model: " << row.model;
    EXPECT_EQ(row.provider, model->provider);
    EXPECT_TRUE(row.error.empty()) << row.error;
    EXPECT_EQ(row.action, "BUY") << row.model;
    EXPECT_DOUBLE_EQ(row.confidence, 0.85);
    EXPECT_EQ(row.tokens_in, model->tokens_in) << row.model;
    EXPECT_EQ(row.tokens_out, model->tokens_out) << row.model;
    EXPECT_EQ(row.cost, model->cost) << row.model << ": tokens priced as the config says";
    EXPECT_FALSE(row.raw_response.empty());
  }
  for (const Model& m : kModels) {
    EXPECT_EQ(rows_of[m.model], static_cast<int>(all_verdicts.size()))
        << "one answer a verdict: " << m.model;
  }
  // Every verdict is the models' (never the rules) and costs the sum of its five answers.
  const Decimal cycle_cost =
      kModels[0].cost + kModels[1].cost + kModels[2].cost + kModels[3].cost + kModels[4].cost;
  for (const auto* v : all_verdicts) {
    EXPECT_EQ(v->provider, "consensus");
    EXPECT_EQ(v->model, "llm consensus 5 of 5");
    EXPECT_EQ(v->action, "BUY");
    EXPECT_DOUBLE_EQ(v->confidence, 1.0);
    EXPECT_EQ(v->cost, cycle_cost);
    EXPECT_NE(v->parsed_json.find("5 of 5 valid answers agree on BUY"), std::string::npos)
        << v->parsed_json;
  }
  // The strategy's entry: a long with its protection planned, not refused by the risk engine.
  bool entered = false;
  for (const auto& order : record.orders) {
    if (order.source != "llm_consensus" || order.role != "entry") continue;
    entered = entered || order.status != tg4::core::OrderStatus::kRejected;
    EXPECT_EQ(order.symbol, kSymbol);
    EXPECT_EQ(order.side, tg4::core::Side::kBuy);
    EXPECT_TRUE(order.plan_stop_loss.is_positive()) << order.client_order_id;
  }
  EXPECT_TRUE(entered) << "every llm_consensus entry was rejected";

  // The models were asked about the symbol, by the node over HTTP.
  const auto requests = llm_.requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) {
    EXPECT_NE(r.body.find(kSymbol), std::string::npos)
        << "the prompt does not name " << kSymbol << ": " << r.body;
  }
}

TEST_F(LlmPaper, GarbageAnswersGiveHoldVerdictsWithTheErrorsRecordedAndNoOrder) {
  answer_for_all("Sure! Here is my analysis: the market could go either way.");
  // EMERGENCY (the rules decide, and they may trade) out of reach; REDUCED and LIMITED on the way.
  write_config(
      "agents:\n  degrade_reduced_failures: 2\n  degrade_limited_failures: 4\n"
      "  degrade_emergency_failures: 1000\n");
  start_paper();
  if (HasFatalFailure()) return;

  // Six failed cycles recorded, and the path degraded to LIMITED on the way.
  Record record;
  const bool cycles = wait_until(90s, [&] {
    record = read_record(store_url_);
    return verdicts(record).size() >= 6 &&
           tg4::testing::file_text(dir_ / "paper.err")
                   .find("LLM decision path REDUCED -> LIMITED") != std::string::npos;
  });
  ASSERT_TRUE(cycles) << verdicts(record).size() << " verdicts recorded:\n"
                      << tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_EQ(stop_paper(), 0) << tg4::testing::file_text(dir_ / "paper.err");
  record = read_record(store_url_);
  EXPECT_NE(tg4::testing::file_text(dir_ / "paper.err")
                .find("LLM decision path NORMAL -> REDUCED after 2 consecutive failed cycles"),
            std::string::npos);

  EXPECT_EQ(llm_orders(record), 0u) << "an order from llm_consensus without a valid consensus";
  for (const auto* v : verdicts(record)) {
    EXPECT_EQ(v->provider, "consensus") << v->model;
    EXPECT_EQ(v->action, "HOLD");
    EXPECT_NE(v->parsed_json.find("only 0 valid answers of 5 (4 needed)"), std::string::npos)
        << v->parsed_json;
  }
  std::size_t model_rows = 0;
  for (const auto& row : record.decisions) {
    if (row.provider == "consensus" || row.provider == "rules") continue;
    ++model_rows;
    EXPECT_TRUE(row.action.empty()) << row.model << " " << row.action;
    EXPECT_NE(row.error.find(row.provider + " (" + row.model + ")"), std::string::npos)
        << row.error;
    EXPECT_NE(row.error.find("no JSON object"), std::string::npos) << row.error;
    EXPECT_NE(row.error.find("either way"), std::string::npos)
        << "quotes the answer: " << row.error;
    EXPECT_GT(row.tokens_in, 0) << "the tokens were spent all the same";
  }
  EXPECT_GE(model_rows, 6 * kModels.size());
  EXPECT_GE(llm_.request_count(), 6 * kModels.size());
}

// What an earlier session spent on the models today counts against the day's budget: a session
// started after it asks only the local model (the budget was a fresh 5 USD per process before).
TEST_F(LlmPaper, TodaysSpendOfAnEarlierSessionCountsAgainstTheBudget) {
  {
    auto store = tg4::storage::open_store(store_url_);
    ASSERT_TRUE(store) << store.error().message;
    tg4::storage::Batch batch;
    tg4::storage::DecisionRow spent;
    spent.decision_id = "earlier-call";
    spent.session_id = "earlier";
    spent.mode = "paper";
    spent.time = tg4::core::LiveClock().now();
    spent.agent = "decision";
    spent.provider = "openai_a";
    spent.model = "gpt-alpha";
    spent.action = "HOLD";
    spent.cost = Decimal::must("0.6");
    batch.add(spent);
    ASSERT_TRUE((*store)->write(batch));
  }
  answer_for_all(R"({"action":"HOLD","confidence":0.8,"reasoning":"flat"})");
  write_config("  daily_budget_usd: 0.5\n  budget_warn_usd: 0.5\n  max_cost_per_decision_usd: 0.5\n");
  start_paper();
  if (HasFatalFailure()) return;
  Record record;
  ASSERT_TRUE(wait_until(60s, [&] {
    record = read_record(store_url_);
    return verdicts(record).size() >= 2;
  })) << tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_EQ(stop_paper(), 0) << tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_NE(tg4::testing::file_text(dir_ / "paper.err")
                .find("LLM spend today so far (earlier sessions): 0.6000 USD of 0.50 USD"),
            std::string::npos)
      << tg4::testing::file_text(dir_ / "paper.err");
  ASSERT_GT(llm_.request_count(), 0u) << "the local model is still asked";
  for (const auto& request : llm_.requests()) EXPECT_EQ(request.model, "llama-gamma");
}

// Verdict rows, oldest first.
std::vector<tg4::storage::DecisionRow> verdicts_in_order(const Record& r) {
  std::vector<tg4::storage::DecisionRow> out;
  for (auto it = r.decisions.rbegin(); it != r.decisions.rend(); ++it) {
    if (it->provider == "consensus" || it->provider == "rules") out.push_back(*it);
  }
  return out;
}

constexpr const char* kEmergency = "rules (LLM decision path in EMERGENCY)";

TEST_F(LlmPaper, FailingModelsDegradeToTheRulesAndTheModelsTakeOverAgainWhenTheyRecover) {
  answer_for_all("{\"action\": \"BUY\", \"confidence\": ");  // a broken object: no valid answer
  // Only the decisions ask the models: the regime and technical readings share the decision path's
  // degradation, and their cycles, run as the node starts, would step it down before the first
  // decision on a busy machine.
  write_config(
      "agents:\n  degrade_reduced_failures: 1\n  degrade_limited_failures: 2\n"
      "  degrade_emergency_failures: 3\n  recover_successes: 1\n"
      "  regime_detection: false\n  technical_analysis: false\n");
  start_paper();
  if (HasFatalFailure()) return;

  // Three failed cycles: REDUCED, LIMITED, then EMERGENCY, where the rules decide.
  Record record;
  ASSERT_TRUE(wait_until(60s, [&] {
    record = read_record(store_url_);
    for (const auto& v : verdicts_in_order(record)) {
      if (v.model == kEmergency) return true;
    }
    return false;
  })) << tg4::testing::file_text(dir_ / "paper.err");
  auto sequence = verdicts_in_order(record);
  ASSERT_GE(sequence.size(), 3u);
  EXPECT_EQ(sequence[0].model, "llm consensus 0 of 5 (REDUCED: size halved)");
  EXPECT_EQ(sequence[1].model, "llm consensus 0 of 5 (LIMITED)");
  EXPECT_EQ(sequence[2].model, kEmergency);
  EXPECT_EQ(sequence[2].provider, "rules");
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(sequence[i].action, "HOLD") << sequence[i].model;

  // The models answer again: one success a level (recover_successes 1) back to NORMAL.
  answer_for_all(R"({"action":"BUY","confidence":0.8,"size_pct":6,"reasoning":"recovered"})");
  ASSERT_TRUE(wait_until(60s, [&] {
    record = read_record(store_url_);
    for (const auto& v : verdicts_in_order(record)) {
      if (v.model == "llm consensus 5 of 5") return true;
    }
    return false;
  })) << tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_EQ(stop_paper(), 0) << tg4::testing::file_text(dir_ / "paper.err");
  sequence = verdicts_in_order(read_record(store_url_));

  // After the last EMERGENCY verdict (a cycle can mix old and new answers, still a failure): one
  // LIMITED verdict, which opens nothing, one REDUCED with the size halved, then NORMAL.
  std::size_t last_rules = 0;
  for (std::size_t i = 0; i < sequence.size(); ++i)
    last_rules = sequence[i].model == kEmergency ? i : last_rules;
  ASSERT_GE(sequence.size(), last_rules + 4) << "verdicts after the last EMERGENCY one are missing";
  const auto& limited = sequence[last_rules + 1];
  const auto& reduced = sequence[last_rules + 2];
  const auto& normal = sequence[last_rules + 3];
  // (4 of 5 if the new answers came in the middle of that cycle.)
  EXPECT_TRUE(limited.model == "llm consensus 5 of 5 (LIMITED)" ||
              limited.model == "llm consensus 4 of 5 (LIMITED)")
      << limited.model;
  EXPECT_EQ(limited.action, "HOLD") << "LIMITED allows no new position";
  EXPECT_NE(limited.parsed_json.find("BUY advised, but LIMITED allows no new position"),
            std::string::npos)
      << limited.parsed_json;
  EXPECT_EQ(reduced.model, "llm consensus 5 of 5 (REDUCED: size halved)");
  EXPECT_EQ(reduced.action, "BUY");
  EXPECT_DOUBLE_EQ(boost::json::parse(reduced.parsed_json).at("size_pct").to_number<double>(), 3.0);
  EXPECT_EQ(normal.model, "llm consensus 5 of 5");
  EXPECT_EQ(normal.action, "BUY");
  EXPECT_DOUBLE_EQ(boost::json::parse(normal.parsed_json).at("size_pct").to_number<double>(), 6.0);
  EXPECT_DOUBLE_EQ(normal.confidence, 0.95);

  const std::string log = tg4::testing::file_text(dir_ / "paper.err");
  EXPECT_NE(log.find("LLM decision path LIMITED -> EMERGENCY"), std::string::npos) << log;
  EXPECT_NE(
      log.find(
          "LLM decision path EMERGENCY -> LIMITED: the models reached a valid consensus again"),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("LLM decision path REDUCED -> NORMAL"), std::string::npos) << log;
  EXPECT_EQ(log.find("after 0 consecutive failed cycles"), std::string::npos)
      << "a recovery told as failures";
}

}  // namespace llm_paper
}  // namespace
