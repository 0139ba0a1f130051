#pragma once
// ModelScoreboard: how right each model's calls turned out (SPEC §6). Every valid answer, and the
// verdict it led to (model "consensus", or "rules" when the rules decided), is scored once per
// horizon (1 h, 4 h and 24 h by default) against the symbol's price then: BUY is right if the price
// rose, SELL if it fell, HOLD if it moved less than the hold band (2 %), CLOSE if it did not rise
// by more than the band (leaving was no mistake). The call's PnL is what it would have made on 100
// USD: +100 x change for BUY, -100 x change for SELL, nothing for HOLD and CLOSE. Per (agent,
// model, window) the board keeps decisions, wins, losses, accuracy, that PnL, the cost and the mean
// latency. Kernel thread only; the scores are seeded from the store at start, the calls still
// waiting for their horizon are not (a restart forgets them).
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/config.hpp"
#include "core/decimal.hpp"
#include "core/time.hpp"
#include "storage/records.hpp"
#include "strategy/advice.hpp"

namespace tg4::agents {

// A score is the store's row (agent, model, window, decisions, wins, losses, accuracy, PnL on 100 USD
// a call, cost, mean latency): the kernel records what the board hands it as it is.
using ModelScore = storage::ModelScoreRow;

class ModelScoreboard {
 public:
  // Horizons and hold band from agents.score_horizons and agents.hold_band_pct.
  explicit ModelScoreboard(const core::AgentsSection& agents);

  void seed(ModelScore score);
  // Records the advice's calls, made when the symbol traded at `price`.
  void add(const strategy::Advice& advice, core::Decimal price);
  bool has_pending() const { return pending_ > 0; }  // checked every tick: kept O(1)
  // Scores every call whose horizon has passed at `now` (`price_of`: the symbol's price now, or
  // nothing when unknown: then it waits). Returns the scores that changed.
  std::vector<ModelScore> score_due(
      core::Timestamp now,
      const std::function<std::optional<core::Decimal>(const std::string&)>& price_of);

  // Best first: accuracy, then PnL.
  std::vector<ModelScore> leaderboard(const std::string& window) const;

 private:
  struct Call {
    std::string agent, model, symbol;
    strategy::AdviceAction action;
    core::Decimal price;
    core::Timestamp due;
    core::Decimal cost;
    std::int64_t latency_us = 0;
  };
  struct Horizon {
    core::Duration length;
    std::string window;
    std::deque<Call> calls;  // in due order: calls come in time order
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // agent, model, window
  bool right(strategy::AdviceAction action, double change) const;
  void score(const Call& call, const std::string& window, core::Decimal now_price,
             core::Timestamp now);

  std::vector<Horizon> horizons_;
  double hold_band_;
  std::map<Key, ModelScore> scores_;
  std::vector<Key> changed_;
  std::size_t pending_ = 0;  // calls in every horizon, not scored yet
};

}  // namespace tg4::agents
