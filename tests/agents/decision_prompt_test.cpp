#include "agents/decision_prompt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using testing::feed_trend;

std::string sha256_of(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

market::BookFeatures book_features() {
  market::BookFeatures b;
  b.best_bid = 31'000.5;
  b.best_ask = 31'001.5;
  b.mid = 31'001;
  b.spread_bps = 0.3226;
  b.bid_depth = 12.5;
  b.ask_depth = 10.25;
  b.bid_depth_quote = 387'518.75;
  b.ask_depth_quote = 317'765.38;
  b.imbalance = 0.0989;
  b.bid_depth_within = {100'000, 200'000, 300'000};
  b.ask_depth_within = {90'000, 180'000, 270'000};
  return b;
}

// 1m and 1h bars of an up-trend, and a book.
market::SymbolMarket trending_market(int minute_bars = 60) {
  market::SymbolMarket m("BTC/USDT", {1, 60}, 500);
  feed_trend(m, 1, minute_bars, 0.0005);
  feed_trend(m, 60, 40, 0.003);
  m.on_book(book_features(), testing::kStart + std::chrono::minutes(minute_bars));
  return m;
}

strategy::AdviceRequest request(const char* qty = "0.5") {
  return {"BTC/USDT", 60, Decimal::must(qty), testing::kStart + std::chrono::minutes(60)};
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(DecisionPrompt, TheSystemTextGivesTheRoleAndTheSchema) {
  const DecisionPrompt p = decision_prompt(request(), trending_market());
  EXPECT_TRUE(contains(p.chat.system, "cautious crypto trading analyst for a spot/margin account"));
  EXPECT_TRUE(contains(p.chat.system, R"("action": "BUY" | "SELL" | "HOLD" | "CLOSE")"));
  for (const char* field :
       {R"("confidence": number 0..1)", R"("entry": price or null)", R"("stop": price or null)",
        R"("target": price or null)", R"("size_pct": number 0..100)", R"("reasoning": string)"}) {
    EXPECT_TRUE(contains(p.chat.system, field)) << field;
  }
  EXPECT_TRUE(contains(p.chat.system, "Answer with one JSON object only"));
  EXPECT_EQ(p.chat.max_tokens, 600);
  EXPECT_TRUE(p.chat.json);
}

TEST(DecisionPrompt, TheUserTextHasTheMarketAndThePosition) {
  const market::SymbolMarket m = trending_market();
  const DecisionPrompt p = decision_prompt(request(), m);
  const std::string& u = p.chat.user;
  EXPECT_TRUE(contains(u, "Symbol: BTC/USDT\n")) << u;
  EXPECT_TRUE(contains(u, "Time: 2023-11-14T23:13:20Z\n")) << u;
  EXPECT_TRUE(contains(u, "Last price: " + m.last_price()->to_string() + "\n")) << u;
  EXPECT_TRUE(contains(u, "Position: long 0.5\n")) << u;
  EXPECT_TRUE(
      contains(u, "Timeframe 1m (60 closed bars, the last opened 2023-11-14T23:12:20Z): close "))
      << u;
  EXPECT_TRUE(contains(u, "Timeframe 1h (40 closed bars")) << u;
  for (const char* part :
       {"EMA9 ", "EMA21 ", "EMA50 ", "RSI14 ", "MACD line ", " signal ", " hist ", "ATR14 ",
        "ADX14 ", "Bollinger upper ", " middle ", " lower ", "supertrend up at ",
        "ratio to its 20-bar mean ", "Trend alignment over the timeframes", ": +1.00\n"}) {
    EXPECT_TRUE(contains(u, part)) << part << "\n" << u;
  }
  EXPECT_FALSE(contains(u, "EMA200")) << "not ready after 60 bars";
  EXPECT_TRUE(contains(u, "Last 10 closed 1m bars, oldest first")) << u;
  const core::Bar& last = m.timeframe(1)->bars().back();
  EXPECT_TRUE(contains(u, fmt::format("2023-11-14T23:12:20Z {} {} {} {} {}\n", last.open, last.high,
                                      last.low, last.close, last.volume)))
      << u;
  const core::Bar& eleventh = m.timeframe(1)->bars()[m.timeframe(1)->bars().size() - 11];
  EXPECT_FALSE(contains(u, core::format_rfc3339(eleventh.open_time, 0) + " "))
      << "only the last 10 bars";
  EXPECT_TRUE(contains(
      u, "Order book: best bid 31000.5, best ask 31001.5, spread 0.32 bps, imbalance +0.099"))
      << u;
  EXPECT_TRUE(contains(u, "within 0.5 % of the mid: bids 100000, asks 90000 (quote)")) << u;
}

TEST(DecisionPrompt, TheSamePromptForTheSameMarket) {
  const DecisionPrompt a = decision_prompt(request(), trending_market());
  const DecisionPrompt b = decision_prompt(request(), trending_market());
  EXPECT_EQ(a.chat.system, b.chat.system);
  EXPECT_EQ(a.chat.user, b.chat.user);
  EXPECT_EQ(a.hash, b.hash);
}

TEST(DecisionPrompt, TheHashIsTheSha256OfSystemAndUserText) {
  const DecisionPrompt p = decision_prompt(request(), trending_market());
  EXPECT_EQ(p.hash.size(), 64U);
  EXPECT_EQ(p.hash, sha256_of(p.chat.system + "\n" + p.chat.user));
  EXPECT_NE(p.hash, decision_prompt(request("-0.25"), trending_market()).hash);
  EXPECT_NE(p.hash, decision_prompt(request(), trending_market(61)).hash);
}

TEST(DecisionPrompt, AFlatPositionAndAnEmptyMarket) {
  const market::SymbolMarket m("XRP/USDT", {5, 60}, 500);
  const DecisionPrompt p = decision_prompt({"XRP/USDT", 60, Decimal{}, testing::kStart}, m);
  const std::string& u = p.chat.user;
  EXPECT_TRUE(contains(u, "Last price: unknown\n")) << u;
  EXPECT_TRUE(contains(u, "Position: flat (no position)\n")) << u;
  EXPECT_TRUE(contains(
      u,
      "Data quality: stale (nothing new for more than 60 s); too few candles (fewer than 20 "
      "on the base timeframe); no order book\n"))
      << u;
  EXPECT_TRUE(contains(u, "Timeframe 5m: no closed bars yet\nTimeframe 1h: no closed bars yet\n"))
      << u;
  EXPECT_FALSE(contains(u, "Order book")) << u;
  EXPECT_FALSE(contains(u, "Last 10")) << u;

  const DecisionPrompt short_position =
      decision_prompt({"XRP/USDT", 60, Decimal::must("-12"), testing::kStart}, m);
  EXPECT_TRUE(contains(short_position.chat.user, "Position: short 12\n"));
}

}  // namespace
}  // namespace tg4::agents

namespace tg4::agents {
namespace {

// The regime and technical agents' views, when the pipeline has them, come after the market and
// before the question; without them the question is as before.
TEST(DecisionPrompt, OtherAgentsViewsAreShownWhenGiven) {
  strategy::AdviceRequest asked = request();
  const std::string without = decision_prompt(asked, trending_market()).chat.user;
  EXPECT_FALSE(contains(without, "Other agents' views"));
  asked.agent_views = {
      "Regime (15m bars, regime detection agent): trending_bull 0.82 since 2026-01-01T00:00:00Z",
      "Technical analysis (5m bars, as of 2026-01-01T01:00:00Z): long 0.72 (rules): trend up 0.56"};
  const DecisionPrompt with = decision_prompt(asked, trending_market());
  const std::size_t views =
      with.chat.user.find("\nOther agents' views (advice, to weigh with the above):\n");
  ASSERT_NE(views, std::string::npos) << with.chat.user;
  EXPECT_LT(views, with.chat.user.find("Decide one action for BTC/USDT"));
  EXPECT_TRUE(contains(with.chat.user,
                       "  Technical analysis (5m bars, as of 2026-01-01T01:00:00Z): long 0.72"));
  EXPECT_TRUE(
      contains(with.chat.user, "  Regime (15m bars, regime detection agent): trending_bull"));
  EXPECT_NE(with.hash, decision_prompt(request(), trending_market()).hash);
}

}  // namespace
}  // namespace tg4::agents
