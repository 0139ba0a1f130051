// agents::regime_prompt: what the models are told and asked about a symbol's regime, and that the
// same market gives the same question and hash.
#include "agents/regime_prompt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using namespace std::chrono_literals;

// 15m and 1h bars of an up-trend (the 15m bars rising faster).
market::SymbolMarket regime_test_market(int quarter_bars = 60) {
  market::SymbolMarket m("BTC/USDT", {15, 60}, 500);
  testing::feed_trend(m, 15, quarter_bars, 0.002);
  testing::feed_trend(m, 60, 30, 0.003);
  return m;
}

RegimeRequest regime_test_request(int timeframe = 15) {
  return {"BTC/USDT", timeframe, testing::kStart + 15h};
}

bool prompt_has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(RegimePrompt, TheSystemTextNamesTheRegimesAndTheAnswer) {
  const RegimePrompt p = regime_prompt(regime_test_request(), regime_test_market());
  for (const char* regime : {"trending_bull", "trending_bear", "ranging", "volatile_bull",
                             "volatile_bear", "choppy", "breakout_potential"}) {
    EXPECT_TRUE(prompt_has(p.chat.system, fmt::format("\"{}\"", regime))) << regime;
  }
  for (const char* field :
       {R"("confidence": number 0..1)", R"("size_multiplier": number 0..2)",
        R"("stop_multiplier": number 0.5..3)", R"("target_multiplier": number 0.5..3)",
        R"("strictness": "relaxed" | "normal" | "strict" | "very_strict")",
        R"("reasoning": string)", "Answer with one JSON object only"}) {
    EXPECT_TRUE(prompt_has(p.chat.system, field)) << field;
  }
  EXPECT_TRUE(p.chat.json);
  EXPECT_EQ(p.chat.max_tokens, 400);
}

TEST(RegimePrompt, TheUserTextHasTheRequestedTimeframeOnly) {
  const market::SymbolMarket m = regime_test_market();
  const RegimePrompt p = regime_prompt(regime_test_request(), m);
  const std::string& u = p.chat.user;
  EXPECT_TRUE(prompt_has(u, "Symbol: BTC/USDT\n")) << u;
  EXPECT_TRUE(prompt_has(u, "Last price: " + m.last_price()->to_string() + "\n")) << u;
  EXPECT_TRUE(prompt_has(u, "Timeframe 15m (60 closed bars")) << u;
  EXPECT_FALSE(prompt_has(u, "Timeframe 1h")) << "only the timeframe asked about\n" << u;
  EXPECT_FALSE(prompt_has(u, "Position:")) << "a regime is the market's, not the position's";
  for (const char* part : {"ADX14 ", "+DI ", "-DI ", "RSI14 ", "choppiness14 ", "ATR14 ",
                           " % of the close", "Bollinger width ", "squeeze ", "EMA9 ", "EMA21 ",
                           "EMA50 ", "Trend alignment over the timeframes"}) {
    EXPECT_TRUE(prompt_has(u, part)) << part << "\n" << u;
  }
  EXPECT_TRUE(prompt_has(u, "Last 20 closed 15m bars, oldest first")) << u;
  const core::Bar& last = m.timeframe(15)->bars().back();
  EXPECT_TRUE(
      prompt_has(u, fmt::format("{} {} {} {} {} {}\n", core::format_rfc3339(last.open_time, 0),
                                last.open, last.high, last.low, last.close, last.volume)))
      << u;
  EXPECT_TRUE(prompt_has(u, "Name the regime of BTC/USDT on the 15m timeframe")) << u;
}

TEST(RegimePrompt, AnUntrackedTimeframeIsSaid) {
  const RegimePrompt p = regime_prompt(regime_test_request(240), regime_test_market());
  EXPECT_TRUE(prompt_has(p.chat.user, "Timeframe 4h: not tracked, no bars\n")) << p.chat.user;
}

TEST(RegimePrompt, TheSameMarketGivesTheSameQuestionAndHash) {
  const RegimePrompt a = regime_prompt(regime_test_request(), regime_test_market());
  const RegimePrompt b = regime_prompt(regime_test_request(), regime_test_market());
  EXPECT_EQ(a.chat.system, b.chat.system);
  EXPECT_EQ(a.chat.user, b.chat.user);
  EXPECT_EQ(a.hash, b.hash);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::string text = a.chat.system + "\n" + a.chat.user;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  EXPECT_EQ(a.hash, hex);

  EXPECT_NE(a.hash, regime_prompt(regime_test_request(), regime_test_market(61)).hash)
      << "one more bar";
  EXPECT_NE(a.hash, regime_prompt(regime_test_request(60), regime_test_market()).hash)
      << "another timeframe";
}

}  // namespace
}  // namespace tg4::agents
