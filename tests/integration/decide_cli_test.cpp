// `tg4 decide --symbol S --once` as a process (SPEC §6, §12): the real binary asks the models of
// its config, here a FakeLlmServer on 127.0.0.1 playing five of them (OpenAI and Anthropic
// dialects), and prints each model's answer and the verdict; the answers, the views' models and the
// verdict land in the store's decisions table (mode "decide"); with --dry-run only what the models
// cost. Also: the rules decide when
// llm.enabled is false, failing models make the verdict HOLD, the API keys reach the providers but
// never the output, and bad input exits with a message naming what was wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "integration/cli_process.hpp"
#include "storage/store.hpp"
#include "support/fake_llm_server.hpp"

namespace {
namespace decide_cli {

namespace fs = std::filesystem;
namespace json = boost::json;
using tg4::core::Decimal;
using tg4::testing::CliOutcome;
using tg4::testing::FakeLlmServer;
using tg4::testing::kCandles;
using tg4::testing::LlmBehaviour;

constexpr const char* kOpenAiKey = "sk-test-OPENAI-9f3c1a77d2";
constexpr const char* kAnthropicKey = "sk-ant-test-ANTHROPIC-5be20c";

struct Model {
  std::string provider;
  bool anthropic;
  std::string model;
};

// Five models, both dialects. Prices: 2 USD / 1M tokens in, 10 USD / 1M out, so the fake server's
// 100 + 20 tokens cost 0.0002 + 0.0002 = 0.0004 USD a call.
const std::vector<Model> kModels = {
    {"openai_a", false, "gpt-alpha"}, {"anthropic_a", true, "claude-alpha"},
    {"openai_b", false, "gpt-beta"},  {"anthropic_b", true, "claude-beta"},
    {"openai_c", false, "gpt-gamma"},
};

// Valid BUYs around the last close of kCandles (66141.30): entries average to 66155, stops to
// 65500, targets to 67500; confidences 0.8, 0.7, 0.9, 0.6 average to 0.75, and 4 of 4 valid answers
// agree (unanimous): +0.15 gives 0.90.
const std::map<std::string, std::string> kBuyAnswers = {
    {"gpt-alpha",
     R"({"action":"BUY","confidence":0.8,"entry":66100,"stop":65500,"target":67500,"size_pct":10,"reasoning":"uptrend"})"},
    {"claude-alpha",
     R"({"action":"buy","confidence":0.7,"entry":"66140","stop":65600,"target":67400,"size_pct":10,"reasoning":"momentum"})"},
    {"gpt-beta",
     R"({"action":"BUY","confidence":"90%","entry":66180,"stop":65400,"target":67600,"size_pct":10,"reasoning":"breakout"})"},
    {"claude-beta",
     R"({"action":"BUY","confidence":0.6,"entry":66200,"stop":65500,"target":67500,"size_pct":10,"reasoning":"volume"})"},
};
constexpr const char* kGarbageModel = "gpt-gamma";
constexpr const char* kGarbageContent =
    "I think the market looks bullish, but I cannot say for sure.";

class DecideCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("tg4_decide_cli_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_url_ = "sqlite:" + (dir_ / "tg4.db").string();
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // A config with the store in the temporary folder and the five models on the fake server; `extra`
  // goes on in the llm section. Without `views` the regime and technical agents are off, so only
  // the decision's models are asked.
  fs::path write_config(bool llm_enabled, const std::string& extra = {}, bool views = false) {
    std::string yaml = "storage:\n  url: " + store_url_ +
                       "\n"
                       "llm:\n"
                       "  enabled: " +
                       std::string(llm_enabled ? "true" : "false") +
                       "\n"
                       "  timeout: 5s\n"
                       "  max_retries: 1\n"
                       "  retry_backoff: 0s\n"
                       "  providers:\n";
    for (const Model& m : kModels) {
      yaml += "    - {name: " + m.provider + ", kind: " + (m.anthropic ? "anthropic" : "openai") +
              ", base_url: \"" +
              (m.anthropic ? server_.base_url_anthropic() : server_.base_url_openai()) +
              "\", model: " + m.model + ", api_key: \"" +
              (m.anthropic ? kAnthropicKey : kOpenAiKey) +
              "\", input_usd_per_mtok: 2, output_usd_per_mtok: 10}\n";
    }
    yaml += extra;
    if (!views) yaml += "agents:\n  regime_detection: false\n  technical_analysis: false\n";
    const fs::path path = dir_ / "tg4.yaml";
    std::ofstream(path) << yaml;
    return path;
  }

  void answer_four_buys_and_one_garbage() {
    for (const auto& [model, answer] : kBuyAnswers)
      server_.set_reply_for_model(model, LlmBehaviour::reply(answer));
    server_.set_reply_for_model(kGarbageModel, LlmBehaviour::reply(kGarbageContent));
  }

  CliOutcome decide(const fs::path& config, const std::vector<std::string>& args) {
    std::vector<std::string> all{"decide"};
    all.insert(all.end(), args.begin(), args.end());
    return tg4::testing::run_cli(dir_, TG4_BINARY,
                                 "--config " + tg4::testing::shell_quoted(config.string()), all);
  }

  // Every decisions row of the store, newest first; a failure when it cannot be read.
  std::vector<tg4::storage::DecisionRow> decisions() {
    tg4::storage::OpenOptions options;
    options.create = false;
    auto store = tg4::storage::open_store(store_url_, options);
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return {};
    }
    auto rows = (*store)->decisions({}, 1000);
    if (!rows) {
      ADD_FAILURE() << rows.error().message;
      return {};
    }
    return *rows;
  }

  FakeLlmServer server_;
  fs::path dir_;
  std::string store_url_;
};

const tg4::storage::DecisionRow* row_of(const std::vector<tg4::storage::DecisionRow>& rows,
                                        const std::string& model) {
  for (const auto& row : rows) {
    if (row.model == model) return &row;
  }
  return nullptr;
}

void expect_no_secret(const std::string& text, const std::string& where) {
  EXPECT_EQ(text.find(kOpenAiKey), std::string::npos) << where << " shows the OpenAI key: " << text;
  EXPECT_EQ(text.find(kAnthropicKey), std::string::npos)
      << where << " shows the Anthropic key: " << text;
  EXPECT_EQ(text.find("OPENAI-9f3c"), std::string::npos) << where << ": " << text;
  EXPECT_EQ(text.find("ANTHROPIC-5be2"), std::string::npos) << where << ": " << text;
}

TEST_F(DecideCli, FourBuysAndOneGarbageAnswerGiveABuyConsensusRecordedInTheStore) {
  answer_four_buys_and_one_garbage();
  const fs::path config = write_config(true);
  const CliOutcome o =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.out << o.err;

  // Each model asked once, in its own dialect, with its key.
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), kModels.size());
  for (const Model& m : kModels) {
    int seen = 0;
    for (const auto& r : requests) {
      if (r.model != m.model) continue;
      ++seen;
      EXPECT_EQ(r.path, m.anthropic ? "/v1/messages" : "/v1/chat/completions") << m.model;
      if (m.anthropic) {
        const std::string* key = r.header("x-api-key");
        ASSERT_NE(key, nullptr) << m.model;
        EXPECT_EQ(*key, kAnthropicKey);
      } else {
        const std::string* auth = r.header("authorization");
        ASSERT_NE(auth, nullptr) << m.model;
        EXPECT_EQ(*auth, std::string("Bearer ") + kOpenAiKey);
      }
      EXPECT_NE(r.body.find("BTC/USDT"), std::string::npos)
          << "the prompt does not name the symbol: " << r.body;
      EXPECT_NE(r.body.find("66141.3"), std::string::npos)
          << "the prompt does not give the last close: " << r.body;
    }
    EXPECT_EQ(seen, 1) << m.model;
  }

  // Each model on its line, then the verdict.
  for (const Model& m : kModels) {
    const auto at = o.out.find(m.provider);
    ASSERT_NE(at, std::string::npos) << m.provider << " missing:\n" << o.out;
    const std::string line = o.out.substr(at, o.out.find('\n', at) - at);
    EXPECT_NE(line.find(m.model), std::string::npos) << line;
    if (m.model == kGarbageModel) {
      EXPECT_NE(line.find("no answer"), std::string::npos) << line;
    } else {
      EXPECT_NE(line.find("BUY"), std::string::npos) << line;
      EXPECT_NE(line.find("0.0004 USD"), std::string::npos) << line;
    }
  }
  EXPECT_NE(o.out.find("verdict: BUY BTC/USDT at confidence 0.90 (llm consensus 4 of 5)"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("entry 66155  stop 65500  target 67500"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("4 of 4 valid answers agree on BUY"), std::string::npos) << o.out;
  expect_no_secret(o.out, "stdout");
  expect_no_secret(o.err, "stderr");

  // 5 model rows + 1 verdict row, all of this run (mode "decide", one session).
  const auto rows = decisions();
  ASSERT_EQ(rows.size(), kModels.size() + 1) << "every model's answer and the verdict are recorded";
  std::string prompt_hash;
  for (const auto& row : rows) {
    EXPECT_EQ(row.mode, "decide");
    EXPECT_EQ(row.session_id, rows.front().session_id);
    EXPECT_EQ(row.agent, "decision");
    EXPECT_EQ(row.symbol, "BTC/USDT");
    EXPECT_EQ(row.prompt_hash.size(), 64u) << row.model;
    if (prompt_hash.empty()) prompt_hash = row.prompt_hash;
    EXPECT_EQ(row.prompt_hash, prompt_hash) << "one question for all: " << row.model;
    for (const std::string* text : {&row.raw_response, &row.parsed_json, &row.error, &row.model}) {
      expect_no_secret(*text, "decision row " + row.model);
    }
  }
  for (const auto& [model, answer] : kBuyAnswers) {
    const auto* row = row_of(rows, model);
    ASSERT_NE(row, nullptr) << model;
    EXPECT_EQ(row->action, "BUY") << model;
    EXPECT_TRUE(row->error.empty()) << row->error;
    EXPECT_EQ(row->tokens_in, 100);
    EXPECT_EQ(row->tokens_out, 20);
    EXPECT_EQ(row->cost, Decimal::must("0.0004")) << model;
    EXPECT_FALSE(row->raw_response.empty()) << model;
    EXPECT_FALSE(row->parsed_json.empty()) << model;
  }
  EXPECT_DOUBLE_EQ(row_of(rows, "gpt-beta")->confidence, 0.9);  // "90%" read as a percentage

  const auto* garbage = row_of(rows, kGarbageModel);
  ASSERT_NE(garbage, nullptr);
  EXPECT_TRUE(garbage->action.empty()) << garbage->action;
  EXPECT_TRUE(garbage->parsed_json.empty()) << garbage->parsed_json;
  EXPECT_NE(garbage->error.find("openai_c"), std::string::npos) << garbage->error;
  EXPECT_NE(garbage->error.find(kGarbageModel), std::string::npos) << garbage->error;
  EXPECT_NE(garbage->error.find("no JSON object"), std::string::npos) << garbage->error;
  EXPECT_NE(garbage->error.find("market looks bullish"), std::string::npos)
      << "quotes what came: " << garbage->error;
  EXPECT_EQ(garbage->cost, Decimal::must("0.0004")) << "an unusable answer is still paid for";

  const auto* verdict = row_of(rows, "llm consensus 4 of 5");
  ASSERT_NE(verdict, nullptr) << "no verdict row";
  EXPECT_EQ(verdict->provider, "consensus");
  EXPECT_EQ(verdict->action, "BUY");
  EXPECT_NEAR(verdict->confidence, 0.90, 1e-9);
  EXPECT_EQ(verdict->cost, Decimal::must("0.002")) << "the verdict costs what its five calls cost";
  const json::object advice = json::parse(verdict->parsed_json).as_object();
  EXPECT_EQ(Decimal::must(std::string(advice.at("entry").as_string())), Decimal::must("66155"));
  EXPECT_EQ(Decimal::must(std::string(advice.at("stop").as_string())), Decimal::must("65500"));
  EXPECT_EQ(Decimal::must(std::string(advice.at("target").as_string())), Decimal::must("67500"));
  EXPECT_EQ(advice.at("source").as_string(), "llm consensus 4 of 5");
  // Why, once, then each agreeing model's reason.
  EXPECT_EQ(std::string(advice.at("reasoning").as_string()),
            "4 of 4 valid answers agree on BUY (100 %), 5 asked, confidence +0.15 | "
            "openai_a/gpt-alpha: uptrend | "
            "anthropic_a/claude-alpha: momentum | openai_b/gpt-beta: breakout | "
            "anthropic_b/claude-beta: volume");

  // A second cycle adds its six rows to the first's.
  const CliOutcome again =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_EQ(decisions().size(), 2 * (kModels.size() + 1));
}

// A dry run spends real money: what each model cost is recorded (for the day's budget), but not
// the answers' verdict.
TEST_F(DecideCli, DryRunRecordsOnlyWhatTheModelsCostAndJsonPrintsOneObject) {
  answer_four_buys_and_one_garbage();
  const fs::path config = write_config(true);
  const CliOutcome dry =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--dry-run", "--data", kCandles.string()});
  ASSERT_EQ(dry.code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("verdict: BUY BTC/USDT"), std::string::npos) << dry.out;
  EXPECT_EQ(server_.request_count(), kModels.size());
  const auto paid = decisions();
  ASSERT_EQ(paid.size(), kModels.size()) << "one row per paid model, no verdict";
  for (const auto& row : paid) {
    EXPECT_EQ(row.cost, Decimal::must("0.0004")) << row.model;
    EXPECT_NE(row.provider, "consensus");
    EXPECT_EQ(row.mode, "decide");
    EXPECT_TRUE(row.session_id.starts_with("decide-dry-run-")) << row.session_id;
  }

  const CliOutcome o = decide(config, {"--symbol", "BTC/USDT", "--once", "--dry-run", "--json",
                                       "--data", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  json::error_code ec;
  const json::value value = json::parse(o.out, ec);
  ASSERT_FALSE(ec) << "stdout is not one JSON value: " << o.out;
  ASSERT_TRUE(value.is_object()) << o.out;
  const json::object& advice = value.as_object();
  EXPECT_EQ(advice.at("action").as_string(), "BUY");
  EXPECT_EQ(advice.at("symbol").as_string(), "BTC/USDT");
  EXPECT_EQ(advice.at("source").as_string(), "llm consensus 4 of 5");
  EXPECT_NEAR(advice.at("confidence").to_number<double>(), 0.90, 1e-9);
  EXPECT_EQ(Decimal::must(std::string(advice.at("entry").as_string())), Decimal::must("66155"));
  expect_no_secret(o.out, "stdout");
  EXPECT_EQ(decisions().size(), 2 * kModels.size()) << "only what the models cost, again";
}

// A loop of dry runs is stopped by the daily budget as a loop of real ones is (each answer here
// costs 0.2002 USD: the first run spends 1.001 USD of the 0.5 a day).
TEST_F(DecideCli, DryRunsSpendTheDaysBudget) {
  for (const auto& [model, answer] : kBuyAnswers)
    server_.set_reply_for_model(model, LlmBehaviour::reply(answer, 100, 20'000));
  server_.set_reply_for_model(kGarbageModel, LlmBehaviour::reply(kGarbageContent, 100, 20'000));
  const fs::path config = write_config(
      true, "  daily_budget_usd: 0.5\n  budget_warn_usd: 0.4\n  max_cost_per_decision_usd: 0.5\n");
  const std::vector<std::string> args{"--symbol",  "BTC/USDT", "--once",
                                      "--dry-run", "--data",   kCandles.string()};
  const CliOutcome first = decide(config, args);
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("llm consensus 4 of 5"), std::string::npos) << first.out;
  const CliOutcome second = decide(config, args);
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("rules (no model may be asked now)"), std::string::npos) << second.out;
  EXPECT_EQ(server_.request_count(), kModels.size()) << "nothing asked by the second dry run";
}

// The regime and technical agents' models are paid calls too: each is recorded (agents "regime"
// and "technical", as a session records them), shown with its cost, and charged to the day.
TEST_F(DecideCli, TheViewsModelsAreRecordedShownAndCharged) {
  answer_four_buys_and_one_garbage();
  const CliOutcome o = decide(write_config(true, {}, true),
                              {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  ASSERT_EQ(server_.request_count(), 3 * kModels.size());
  EXPECT_NE(o.out.find("their models:\n  regime    openai_a"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  technical openai_a"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("(0.0004 USD)"), std::string::npos) << "a paid unusable answer: " << o.out;
  std::map<std::string, int> paid_by_agent;
  Decimal spent;
  for (const auto& row : decisions()) {
    if (row.provider == "consensus" || row.provider == "rules") continue;
    ++paid_by_agent[row.agent];
    spent += row.cost;
  }
  EXPECT_EQ(paid_by_agent["regime"], 5);
  EXPECT_EQ(paid_by_agent["technical"], 5);
  EXPECT_EQ(paid_by_agent["decision"], 5);
  EXPECT_EQ(spent, Decimal::must("0.006")) << "15 calls of 0.0004 USD";
}

// The day's budget lives in the store, not in a process: what an earlier run spent today counts, so
// the second run may ask no model (each answer here reports 20,000 tokens out: 0.2002 USD, so the
// first cycle spends 1.001 USD of the 0.5 a day).
TEST_F(DecideCli, TheDaysBudgetContinuesFromTheStore) {
  for (const auto& [model, answer] : kBuyAnswers) server_.set_reply_for_model(model, LlmBehaviour::reply(answer, 100, 20'000));
  server_.set_reply_for_model(kGarbageModel, LlmBehaviour::reply(kGarbageContent, 100, 20'000));
  const fs::path config = write_config(
      true, "  daily_budget_usd: 0.5\n  budget_warn_usd: 0.4\n  max_cost_per_decision_usd: 0.5\n");
  const CliOutcome first = decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("llm consensus 4 of 5"), std::string::npos) << first.out;
  const CliOutcome second = decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("rules (no model may be asked now)"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("reached the budget"), std::string::npos) << second.out;
  EXPECT_EQ(server_.request_count(), kModels.size()) << "nothing asked by the second run";
}

TEST_F(DecideCli, WithLlmDisabledTheRulesDecideAndNoModelIsAsked) {
  answer_four_buys_and_one_garbage();
  const fs::path config = write_config(false);
  const CliOutcome o =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("(rules (llm.enabled is false))"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("rules: "), std::string::npos) << "the rules give their reason: " << o.out;
  EXPECT_EQ(server_.request_count(), 0u) << "a model was asked with llm.enabled false";
  for (const Model& m : kModels) EXPECT_EQ(o.out.find(m.model), std::string::npos) << o.out;

  const auto rows = decisions();
  ASSERT_EQ(rows.size(), 1u) << "only the rules' verdict is recorded";
  EXPECT_EQ(rows.front().provider, "rules");
  EXPECT_EQ(rows.front().model, "rules (llm.enabled is false)");
  EXPECT_EQ(rows.front().mode, "decide");
  EXPECT_TRUE(rows.front().cost.is_zero());
}

TEST_F(DecideCli, WhenEveryModelFailsTheVerdictIsHoldAndEachErrorNamesProviderAndStatus) {
  // 500s are retried (max_retries 1), 401s are not.
  for (const Model& m : kModels) {
    server_.set_reply_for_model(
        m.model, m.anthropic ? LlmBehaviour::http_error(401, "invalid x-api-key")
                             : LlmBehaviour::http_error(500, "The server had an error"));
  }
  const fs::path config = write_config(true);
  const CliOutcome o =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--data", kCandles.string()});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("verdict: HOLD BTC/USDT"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  only 0 valid answers of 5 (4 needed)\n"), std::string::npos)
      << "said once: " << o.out;
  EXPECT_EQ(server_.request_count(), 3u * 2u + 2u) << "three 500s asked twice, two 401s once";
  expect_no_secret(o.out, "stdout");
  expect_no_secret(o.err, "stderr");

  const auto rows = decisions();
  ASSERT_EQ(rows.size(), kModels.size() + 1);
  for (const Model& m : kModels) {
    const auto* row = row_of(rows, m.model);
    ASSERT_NE(row, nullptr) << m.model;
    EXPECT_TRUE(row->action.empty()) << m.model;
    EXPECT_NE(row->error.find("'" + m.provider + "'"), std::string::npos) << row->error;
    if (m.anthropic) {
      EXPECT_NE(row->error.find("HTTP 401"), std::string::npos) << row->error;
      EXPECT_NE(row->error.find("invalid x-api-key"), std::string::npos) << row->error;
      EXPECT_NE(row->error.find("api_key"), std::string::npos)
          << "says what to check: " << row->error;
    } else {
      EXPECT_NE(row->error.find("HTTP 500"), std::string::npos) << row->error;
      EXPECT_NE(row->error.find("after 2 attempts"), std::string::npos) << row->error;
    }
    EXPECT_TRUE(row->cost.is_zero()) << m.model;
    expect_no_secret(row->error, "error of " + m.model);
    // Each failure is on its model's line of the output too.
    EXPECT_NE(o.out.find(m.model), std::string::npos) << o.out;
  }
  const auto* verdict = row_of(rows, "llm consensus 0 of 5");
  ASSERT_NE(verdict, nullptr) << "no verdict row";
  EXPECT_EQ(verdict->provider, "consensus");
  EXPECT_EQ(verdict->action, "HOLD");
}

// The question holds the other agents' views a session would give it, read on the spot from the
// candles and their roll-ups: the regime of the 15-minute bars and the technical analysis of the
// 5-minute ones. Their models are asked first (their answers, decisions rather than readings,
// leave the readings to the rules); the views are printed before the answers. With llm.enabled
// false the rules read them and no model is asked.
TEST_F(DecideCli, TheOtherAgentsViewsAreReadOnTheSpotAndGivenToTheModels) {
  answer_four_buys_and_one_garbage();
  const std::vector<std::string> args{"--symbol",  "BTC/USDT", "--once",
                                      "--dry-run", "--data",   kCandles.string()};
  const CliOutcome o = decide(write_config(true, {}, true), args);
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  const auto views_at = o.out.find("other agents' views:\n");
  ASSERT_NE(views_at, std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  Regime (15m bars, regime detection agent): ", views_at),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  Technical analysis (5m bars, as of ", views_at), std::string::npos)
      << o.out;
  EXPECT_EQ(server_.request_count(), 3 * kModels.size())
      << "the regime agent's models, the technical agent's, then the decision's";
  std::size_t with_views = 0;
  for (const auto& r : server_.requests()) {
    if (r.body.find("Regime (15m bars") != std::string::npos &&
        r.body.find("Technical analysis (5m bars") != std::string::npos) {
      ++with_views;
    }
  }
  EXPECT_EQ(with_views, kModels.size()) << "each decision question holds both views";

  const CliOutcome rules = decide(write_config(false, {}, true), args);
  ASSERT_EQ(rules.code, 0) << rules.out << rules.err;
  EXPECT_NE(rules.out.find("  Technical analysis (5m bars, as of "), std::string::npos)
      << rules.out;
  EXPECT_NE(rules.out.find("(rules): trend "), std::string::npos) << rules.out;
  EXPECT_EQ(server_.request_count(), 3 * kModels.size()) << "no model asked by the rules";
}

TEST_F(DecideCli, ASymbolNotInTheFormBaseQuoteIsAUsageError) {
  const fs::path config = write_config(true);
  const CliOutcome o =
      decide(config, {"--symbol", "BTCUSDT", "--once", "--data", kCandles.string()});
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("--symbol"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("BTCUSDT"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("BASE/QUOTE"), std::string::npos) << o.err;
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(DecideCli, AMissingDataFileIsNamed) {
  const fs::path config = write_config(true);
  const fs::path missing = dir_ / "no_such_candles.csv";
  const CliOutcome o =
      decide(config, {"--symbol", "BTC/USDT", "--once", "--data", missing.string()});
  EXPECT_EQ(o.code, 2) << o.out << o.err;  // a usage error, as in replay and backtest
  EXPECT_NE(o.err.find(missing.string()), std::string::npos) << o.err;
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(DecideCli, AStoreWithoutBarsTellsToRunBackfill) {
  const fs::path config = write_config(true);
  const CliOutcome o = decide(config, {"--symbol", "BTC/USDT", "--once"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.err.find("no bars of BTC/USDT"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("tg4 backfill --symbols BTC/USDT"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("--data"), std::string::npos) << o.err;
  EXPECT_EQ(server_.request_count(), 0u);
}

}  // namespace decide_cli
}  // namespace
