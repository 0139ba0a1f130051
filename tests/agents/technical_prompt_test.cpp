// agents::technical_prompt: what the models are told and asked about a symbol's technicals, and
// that the same market gives the same question and hash.
#include "agents/technical_prompt.hpp"

#include <gtest/gtest.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using namespace std::chrono_literals;

// 30 hours of 5m and 1h bars of an up-trend.
market::SymbolMarket technical_test_market(int five_minute_bars = 360) {
  market::SymbolMarket m("BTC/USDT", {5, 60}, 500);
  testing::feed_trend(m, 5, five_minute_bars, 0.001);
  testing::feed_trend(m, 60, 30, 0.003);
  return m;
}

TechnicalRequest technical_test_request(int timeframe = 5) {
  return {"BTC/USDT", timeframe, testing::kStart + 30h};
}

bool technical_prompt_has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(TechnicalPrompt, TheSystemTextExplainsEachFieldAndGivesTheSchema) {
  const TechnicalPrompt p = technical_prompt(technical_test_request(), technical_test_market());
  const std::string& s = p.chat.system;
  EXPECT_TRUE(technical_prompt_has(s, "crypto technical analyst")) << s;
  EXPECT_TRUE(technical_prompt_has(s, "one symbol on one timeframe")) << s;
  for (const char* field :
       {R"("trend": {"direction": "up" | "down" | "sideways", "strength": number 0..1})",
        R"("momentum": number -1..1)", R"("rsi_signal": "overbought" | "oversold" | "neutral")",
        R"("macd_signal": "bullish" | "bearish" | "neutral")", R"("support": price | null)",
        R"("resistance": price | null)", R"("bias": "long" | "short" | "neutral")",
        R"("confidence": number 0..1)", R"("reasoning": string)",
        "Answer with one JSON object only"}) {
    EXPECT_TRUE(technical_prompt_has(s, field)) << field;
  }
  for (const char* explained : {"- trend:", "- momentum:", "- rsi_signal:", "- macd_signal:",
                                "- support and resistance:", "- bias:"}) {
    EXPECT_TRUE(technical_prompt_has(s, explained)) << explained;
  }
  EXPECT_TRUE(technical_prompt_has(s, "advice shown to traders and to a trading decision agent"))
      << s;
  EXPECT_TRUE(technical_prompt_has(s, "it places no order")) << s;
  EXPECT_TRUE(technical_prompt_has(s, "When unsure, answer neutral with a low confidence")) << s;
  EXPECT_TRUE(p.chat.json);
  EXPECT_EQ(p.chat.max_tokens, 400);
}

TEST(TechnicalPrompt, TheUserTextHasTheRequestedTimeframeOnly) {
  const market::SymbolMarket m = technical_test_market();
  const TechnicalPrompt p = technical_prompt(technical_test_request(), m);
  const std::string& u = p.chat.user;
  EXPECT_TRUE(technical_prompt_has(u, "Symbol: BTC/USDT\n")) << u;
  EXPECT_TRUE(technical_prompt_has(u, "Last price: " + m.last_price()->to_string() + "\n")) << u;
  EXPECT_TRUE(technical_prompt_has(u, "Data quality: ")) << u;
  EXPECT_TRUE(technical_prompt_has(u, "Timeframe 5m (360 closed bars")) << u;
  EXPECT_FALSE(technical_prompt_has(u, "Timeframe 1h")) << "only the timeframe asked about\n" << u;
  EXPECT_FALSE(technical_prompt_has(u, "Position:"))
      << "a reading is the market's, not the position's";
  for (const char* part : {"RSI14 ", "MACD line ", "ADX14 ", "EMA21 ", "ATR14 ", "Bollinger ",
                           "Trend alignment over the timeframes"}) {
    EXPECT_TRUE(technical_prompt_has(u, part)) << part << "\n" << u;
  }
  EXPECT_TRUE(technical_prompt_has(u, "Last 20 closed 5m bars, oldest first")) << u;
  const core::Bar& last = m.timeframe(5)->bars().back();
  EXPECT_TRUE(technical_prompt_has(
      u, fmt::format("{} {} {} {} {} {}\n", core::format_rfc3339(last.open_time, 0), last.open,
                     last.high, last.low, last.close, last.volume)))
      << u;
  const core::Bar& older = m.timeframe(5)->bars()[m.timeframe(5)->bars().size() - 21];
  EXPECT_FALSE(technical_prompt_has(u, core::format_rfc3339(older.open_time, 0) + " "))
      << "the 21st bar from the end is not shown\n"
      << u;
  EXPECT_TRUE(
      u.ends_with("\nRead the technicals of BTC/USDT on the 5m timeframe and answer with the "
                  "JSON object only.\n"))
      << "the question closes the text\n"
      << u;
}

TEST(TechnicalPrompt, AnUntrackedTimeframeIsSaid) {
  const TechnicalPrompt p = technical_prompt(technical_test_request(240), technical_test_market());
  EXPECT_TRUE(technical_prompt_has(p.chat.user, "Timeframe 4h: not tracked, no bars\n"))
      << p.chat.user;
  EXPECT_FALSE(technical_prompt_has(p.chat.user, "closed 4h bars")) << p.chat.user;
  EXPECT_TRUE(
      technical_prompt_has(p.chat.user, "Read the technicals of BTC/USDT on the 4h timeframe"))
      << p.chat.user;
}

TEST(TechnicalPrompt, TheSameMarketGivesTheSameQuestionAndHash) {
  const TechnicalPrompt a = technical_prompt(technical_test_request(), technical_test_market());
  const TechnicalPrompt b = technical_prompt(technical_test_request(), technical_test_market());
  EXPECT_EQ(a.chat.system, b.chat.system);
  EXPECT_EQ(a.chat.user, b.chat.user);
  EXPECT_EQ(a.hash, b.hash);

  EXPECT_EQ(a.hash.size(), 64u) << "SHA-256 in hex, as make_prompt writes it (tested with it)";

  EXPECT_NE(a.hash, technical_prompt(technical_test_request(), technical_test_market(361)).hash)
      << "one more bar";
  EXPECT_NE(a.hash, technical_prompt(technical_test_request(60), technical_test_market()).hash)
      << "another timeframe";
}

}  // namespace
}  // namespace tg4::agents
