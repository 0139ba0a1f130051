// `tg4 risk check` as a process (SPEC §12): one verdict JSON on stdout and exit 0 for every
// verdict; exit 2 naming the field for malformed input; limits from --config.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct RiskOutcome {
  int code = -1;
  std::string out;
  std::string err;
  boost::json::object verdict() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(out, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "stdout is not a JSON object: " << out;
      return {};
    }
    return v.as_object();
  }
};

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class RiskCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tg4_risk_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `tg4 <args>` from the temporary directory (so no config/tg4.yaml is picked up), with
  // `stdin_text` on standard input.
  RiskOutcome run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    const fs::path in = write("stdin", stdin_text), err = dir_ / "stderr";
    std::string command = "cd " + quoted(dir_.string()) + " && " + quoted(TG4_BINARY);
    for (const auto& a : args) command += " " + quoted(a);
    command += " <" + quoted(in.string()) + " 2>" + quoted(err.string());
    RiskOutcome outcome;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " TG4_BINARY);
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
      outcome.out.append(buffer, n);
    const int status = pclose(pipe);
    outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err);
    std::stringstream s;
    s << e.rdbuf();
    outcome.err = s.str();
    return outcome;
  }

  RiskOutcome check(const std::string& state, const std::string& intent) {
    return run({"risk", "check", "--state", state, "--intent", intent});
  }

  fs::path dir_;
};

const std::string kNow = R"("now": "2024-03-13T12:00:00Z")";
const std::string kIntent =
    R"({"symbol": "BTC/USDT", "side": "buy", "size_usd": 1000, "entry": 100, "stop_loss": 98,
        "take_profit": 104, "leverage": 1, "confidence": 0.9, "regime": "bull",
        "strictness": "normal"})";

TEST_F(RiskCli, Approved) {
  const auto r = check(R"({"equity": 10000, )" + kNow + "}", kIntent);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"status":"APPROVED","rule":"none","reason":"all rules passed","size_usd":1000,)"
            R"("leverage":1,"warnings":[]})"
            "\n");
}

TEST_F(RiskCli, ModifiedBySizeAndLeverage) {
  const auto r = check(R"({"equity": 10000, "consecutive_losses": 3, )" + kNow + "}",
                       R"({"symbol": "BTC/USDT", "side": "buy", "size_usd": 2500, "entry": 100,
                           "stop_loss": 98, "leverage": 4, "confidence": 0.8, "regime": "ranging"})");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto v = r.verdict();
  EXPECT_EQ(v.at("status").as_string(), "MODIFIED");
  EXPECT_EQ(v.at("rule").as_string(), "5:size");
  EXPECT_EQ(v.at("size_usd").as_int64(), 1500);  // 20 % of 10000, x 0.75 ranging
  EXPECT_EQ(v.at("leverage").as_int64(), 2);     // ranging cap 2, loss cap 2
  EXPECT_EQ(v.at("warnings").as_array().size(), 3u);
}

TEST_F(RiskCli, RejectedNamesTheRuleAndNumbers) {
  const auto r = check(R"({"equity": 10000, "open_positions": [{"symbol": "XRP/USDT", "side": "buy",
                           "exposure_usd": 4000.01, "leverage": 1}], )" +
                           kNow + "}",
                       kIntent);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto v = r.verdict();
  EXPECT_EQ(v.at("status").as_string(), "REJECTED");
  EXPECT_EQ(v.at("rule").as_string(), "8:correlated_exposure");
  EXPECT_NE(std::string(v.at("reason").as_string()).find("4000.0075"), std::string::npos) << r.out;

  const auto cooled =
      check(R"({"cooldowns": [{"reason": "loss", "until": "2024-03-13T12:10:00Z"}], )" + kNow + "}",
            kIntent);
  ASSERT_EQ(cooled.code, 0) << cooled.err;
  EXPECT_EQ(cooled.verdict().at("rule").as_string(), "2:cooldown");
}

TEST_F(RiskCli, HaltedByTheGivenTradingStateAndByBreakers) {
  const auto halted = check(R"({"trading_state": "HALTED", )" + kNow + "}", kIntent);
  ASSERT_EQ(halted.code, 0) << halted.err;
  EXPECT_EQ(halted.verdict().at("status").as_string(), "HALTED");
  EXPECT_EQ(halted.verdict().at("rule").as_string(), "1:trading_state");

  // Breakers apply to the given state first: -5 % today halts; -4.99 % does not.
  const auto daily = check(R"({"equity": 10000, "daily_pnl_pct": -5, )" + kNow + "}", kIntent);
  ASSERT_EQ(daily.code, 0) << daily.err;
  const auto v = daily.verdict();
  EXPECT_EQ(v.at("status").as_string(), "HALTED");
  EXPECT_NE(std::string(v.at("reason").as_string()).find("2024-03-14T00:00:00Z"),
            std::string::npos);
  ASSERT_EQ(v.at("warnings").as_array().size(), 1u);
  EXPECT_NE(std::string(v.at("warnings").as_array()[0].as_string()).find("daily_loss"),
            std::string::npos);
  EXPECT_EQ(check(R"({"daily_pnl_pct": -4.99, )" + kNow + "}", kIntent)
                .verdict()
                .at("status")
                .as_string(),
            "APPROVED");

  const auto drawdown = check(R"({"equity": 8000, "peak_equity": 10000, )" + kNow + "}", kIntent);
  EXPECT_EQ(drawdown.verdict().at("status").as_string(), "HALTED");
  EXPECT_NE(drawdown.out.find("flatten"), std::string::npos) << drawdown.out;

  const auto cancel = check(R"({"trading_state": "HALTED"})", R"({"is_cancel": true})");
  EXPECT_EQ(cancel.verdict().at("status").as_string(), "APPROVED");
}

TEST_F(RiskCli, ArgumentsFromFilesAndStdin) {
  const fs::path state = write("state.json", R"({"equity": 10000, )" + kNow + "}");
  const fs::path intent = write("intent.json", kIntent);
  const auto files =
      run({"risk", "check", "--state", "@" + state.string(), "--intent", "@" + intent.string()});
  ASSERT_EQ(files.code, 0) << files.err;
  EXPECT_EQ(files.verdict().at("status").as_string(), "APPROVED");

  const auto piped = run({"risk", "check", "--intent", "@-"}, kIntent);
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_EQ(piped.verdict().at("status").as_string(), "APPROVED");
}

TEST_F(RiskCli, LimitsComeFromTheConfig) {
  const fs::path config = write("risk.yaml", "risk:\n  max_position_pct: 5\n");
  const auto r = run({"--config", config.string(), "risk", "check", "--state", "{" + kNow + "}",
                      "--intent", kIntent});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.verdict().at("status").as_string(), "MODIFIED");
  EXPECT_EQ(r.verdict().at("size_usd").as_int64(), 500);

  const fs::path bad = write("bad.yaml", "risk:\n  max_position_pct: lots\n");
  const auto e = run({"--config", bad.string(), "risk", "check", "--intent", kIntent});
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.err.find("risk.max_position_pct"), std::string::npos) << e.err;
}

// Rule 9 compares the size plus what the venue takes on top (the taker fee and a market order's
// slippage) with the funds: by default the paper venue's (0.26 % + 5 bps), `fee_pct` says
// otherwise.
TEST_F(RiskCli, Rule9AddsTheFeesToTheSize) {
  const std::string state = R"({"available_margin": 1003, )" + kNow + "}";
  const auto r = check(state, kIntent);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.verdict().at("status").as_string(), "REJECTED");
  EXPECT_EQ(r.verdict().at("rule").as_string(), "9:margin_and_limits");
  EXPECT_NE(r.out.find("size 1000 + fees and slippage 3.1 (0.31% of the notional 1000) = 1003.1 "
                       "exceeds available 1003"),
            std::string::npos)
      << r.out;

  std::string no_fees = kIntent;
  no_fees.insert(no_fees.rfind('}'), R"(, "fee_pct": 0)");
  EXPECT_EQ(check(state, no_fees).verdict().at("status").as_string(), "APPROVED");

  const fs::path config = write("fees.yaml", "paper:\n  taker_fee_pct: 0.1\n  slippage_bps: 0\n");
  const auto cheap =
      run({"--config", config.string(), "risk", "check", "--state", state, "--intent", kIntent});
  ASSERT_EQ(cheap.code, 0) << cheap.err;
  EXPECT_EQ(cheap.verdict().at("status").as_string(), "APPROVED") << cheap.out;
}

// A volatility spike is a symbol's: the short form's flag is the judged symbol's, the persisted
// form names them.
TEST_F(RiskCli, AVolatilitySpikeHalvesItsSymbolsSizeOnly) {
  const auto flagged = check(R"({"volatility_spike": true, )" + kNow + "}", kIntent);
  ASSERT_EQ(flagged.code, 0) << flagged.err;
  EXPECT_EQ(flagged.verdict().at("status").as_string(), "MODIFIED");
  EXPECT_EQ(flagged.verdict().at("size_usd").as_int64(), 500);
  EXPECT_EQ(flagged.verdict().at("reason").as_string(),
            "size x 0.5 (volatility spike in BTC/USDT)");
  const auto other = check(R"({"volatility_spikes": ["XRP/USDT"], )" + kNow + "}", kIntent);
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(other.verdict().at("status").as_string(), "APPROVED") << other.out;
  const auto named =
      check(R"({"volatility_spikes": ["XRP/USDT", "BTC/USDT"], )" + kNow + "}", kIntent);
  EXPECT_EQ(named.verdict().at("size_usd").as_int64(), 500) << named.out;
}

TEST_F(RiskCli, MalformedInputExitsTwoNamingTheField) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {R"({"equity": "lots"})", kIntent, "state.equity"},
      {R"({"equity": 10000)", kIntent, "--state: invalid JSON"},
      {R"({"equity": 10000, "colour": "red"})", kIntent, "state.colour: unknown field"},
      {R"({"open_positions": [{"symbol": "BTC/USDT", "exposure_usd": true}]})", kIntent,
       "state.open_positions[0].exposure_usd: expected a number"},
      {"{}", R"({"side": "long"})", "intent.side"},
      {"{}", R"({"size_usd": [1]})", "intent.size_usd"},
      {"{}", R"({"regime": "sideways"})", "intent.regime"},
      {"{}", R"({"fee_pct": -0.1})", "intent.fee_pct: must be >= 0"},
      // Rule 4 needs it: a missing confidence was taken as 1 and passed every regime.
      {"{}",
       R"({"symbol": "BTC/USDT", "side": "buy", "size_usd": 1000, "entry": 100, "stop_loss": 98,
           "take_profit": 104, "regime": "choppy"})",
       "--intent: intent.confidence: missing"},
      {"{}", "[]", "intent: expected an object"},
      {"@/nonexistent/state.json", kIntent, "--state: cannot read file"},
  };
  for (const auto& [state, intent, expected] : cases) {
    SCOPED_TRACE(state + " / " + intent);
    const auto r = check(state, intent);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }
  const auto missing = run({"risk", "check", "--state", "{}"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--intent"), std::string::npos) << missing.err;
}

}  // namespace
