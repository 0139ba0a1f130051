#include "agents/model_scoreboard.hpp"

#include <gtest/gtest.h>

#include "agents_test_util.hpp"

namespace tg4::agents {
namespace {

using core::Decimal;
using strategy::AdviceAction;
using namespace std::chrono_literals;

strategy::AdviceVote model_call(const std::string& model, const std::string& action, const std::string& error = "") {
  strategy::AdviceVote v;
  v.provider = "p";
  v.model = model;
  v.action = action;
  v.error = error;
  v.cost_usd = Decimal::must("0.001");
  v.latency_us = 2000;
  return v;
}

strategy::Advice advice_with(AdviceAction verdict, std::vector<strategy::AdviceVote> votes) {
  strategy::Advice a;
  a.symbol = "BTC/USDT";
  a.action = verdict;
  a.source = "llm consensus 2 of 3";
  a.by_models = true;
  a.asked = testing::kStart;
  a.votes = std::move(votes);
  return a;
}

struct PricesNow {
  std::optional<Decimal> btc;
  std::optional<Decimal> operator()(const std::string& symbol) const {
    return symbol == "BTC/USDT" ? btc : std::nullopt;
  }
};

const ModelScore* score_of(const std::vector<ModelScore>& scores, const std::string& model, const std::string& window) {
  for (const ModelScore& s : scores) {
    if (s.model == model && s.window == window) return &s;
  }
  return nullptr;
}

// SPEC §6: BUY right if the price rose, SELL if it fell, HOLD if it moved less than 2 %; each call
// once per horizon (1 h, 4 h, 24 h), with the PnL it would have made on 100 USD.
TEST(ModelScoreboard, EachCallIsScoredOncePerHorizonAgainstThePriceThen) {
  ModelScoreboard board{core::AgentsSection{}};
  board.add(advice_with(AdviceAction::kBuy, {model_call("up", "BUY"), model_call("down", "SELL"), model_call("flat", "HOLD"),
                                        model_call("broken", "", "no JSON object")}),
            Decimal::from_int(100));
  PricesNow prices{Decimal::from_int(101)};  // +1 %
  EXPECT_TRUE(board.score_due(testing::kStart + 59min, prices).empty()) << "not before the hour";
  const auto scored = board.score_due(testing::kStart + 1h, prices);
  ASSERT_EQ(scored.size(), 4u) << "three valid answers and the consensus; the broken one is not a call";
  const ModelScore* up = score_of(scored, "p/up", "1h");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->wins, 1);
  EXPECT_EQ(up->pnl, Decimal::from_int(1));  // 100 USD x +1 %
  EXPECT_EQ(up->cost, Decimal::must("0.001"));
  EXPECT_EQ(up->avg_latency_us, 2000);
  EXPECT_EQ(score_of(scored, "p/down", "1h")->losses, 1);
  EXPECT_EQ(score_of(scored, "p/down", "1h")->pnl, Decimal::from_int(-1));
  EXPECT_EQ(score_of(scored, "p/flat", "1h")->wins, 1) << "|1 %| < 2 %";
  EXPECT_EQ(score_of(scored, "consensus", "1h")->wins, 1);
  EXPECT_TRUE(board.score_due(testing::kStart + 2h, prices).empty()) << "once per horizon";

  prices.btc = Decimal::from_int(97);  // -3 % at 4 h
  const auto later = board.score_due(testing::kStart + 4h, prices);
  EXPECT_EQ(score_of(later, "p/flat", "4h")->losses, 1) << "|-3 %| >= 2 %";
  EXPECT_EQ(score_of(later, "p/down", "4h")->wins, 1);
  EXPECT_EQ(board.score_due(testing::kStart + 24h, prices).size(), 4u);
  EXPECT_FALSE(board.has_pending());
}

TEST(ModelScoreboard, ACallWaitsWhileThePriceIsUnknown) {
  ModelScoreboard board{core::AgentsSection{}};
  board.add(advice_with(AdviceAction::kHold, {}), Decimal::from_int(100));
  PricesNow prices;  // no price
  EXPECT_TRUE(board.score_due(testing::kStart + 2h, prices).empty());
  prices.btc = Decimal::from_int(100);
  const auto scored = board.score_due(testing::kStart + 2h, prices);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0].model, "consensus");
  EXPECT_EQ(scored[0].wins, 1);
}

// The stored board is where scoring continues (a restart does not reset it); the leaderboard ranks
// by accuracy, then PnL. The rules' verdicts are scored as model "rules", a baseline.
TEST(ModelScoreboard, ScoresContinueFromTheStoreAndRankByAccuracyThenPnl) {
  ModelScoreboard board{core::AgentsSection{}};
  ModelScore seeded;
  seeded.agent = "decision";
  seeded.model = "p/up";
  seeded.window = "1h";
  seeded.decisions = 3;
  seeded.wins = 1;
  seeded.losses = 2;
  seeded.pnl = Decimal::from_int(5);
  seeded.avg_latency_us = 1000;
  board.seed(seeded);
  strategy::Advice rules = advice_with(AdviceAction::kBuy, {model_call("up", "BUY")});
  rules.source = "rules (llm.enabled is false)";
  rules.by_models = false;
  board.add(rules, Decimal::from_int(100));
  const auto scored = board.score_due(testing::kStart + 1h, PricesNow{Decimal::from_int(102)});
  const ModelScore* up = score_of(scored, "p/up", "1h");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->decisions, 4);
  EXPECT_EQ(up->wins, 2);
  EXPECT_DOUBLE_EQ(up->score, 0.5);
  EXPECT_EQ(up->pnl, Decimal::from_int(7));
  EXPECT_EQ(up->avg_latency_us, 1250);
  const auto board_1h = board.leaderboard("1h");
  ASSERT_EQ(board_1h.size(), 2u);
  EXPECT_EQ(board_1h[0].model, "rules");  // 1 of 1
  EXPECT_EQ(board_1h[1].model, "p/up");
}

}  // namespace
}  // namespace tg4::agents
