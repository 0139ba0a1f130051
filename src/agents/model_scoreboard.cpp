#include "agents/model_scoreboard.hpp"

#include <algorithm>
#include <cmath>

#include "core/config_schema.hpp"

namespace tg4::agents {
namespace {

std::optional<strategy::AdviceAction> vote_action(const strategy::AdviceVote& vote) {
  if (!vote.error.empty()) return std::nullopt;
  auto action = strategy::parse_advice_action(vote.action);
  return action ? std::optional(*action) : std::nullopt;
}

}  // namespace

ModelScoreboard::ModelScoreboard(const core::AgentsSection& agents)
    : hold_band_(agents.hold_band_pct.to_double() / 100.0) {
  for (const auto length : agents.score_horizons)
    horizons_.push_back({length, core::config_schema::format_duration(length), {}});  // "1h", "1d"
}

void ModelScoreboard::seed(ModelScore score) {
  Key key{score.agent, score.model, score.window};
  scores_[std::move(key)] = std::move(score);
}

void ModelScoreboard::add(const strategy::Advice& advice, core::Decimal price) {
  if (!price.is_positive()) return;
  std::vector<Call> calls;
  for (const strategy::AdviceVote& vote : advice.votes) {
    if (const auto action = vote_action(vote)) {
      calls.push_back({vote.agent,
                       vote.provider + "/" + vote.model,
                       advice.symbol,
                       *action,
                       price,
                       {},
                       vote.cost_usd,
                       vote.latency_us});
    }
  }
  calls.push_back(
      {"decision", advice.by_models ? "consensus" : "rules", advice.symbol, advice.action, price, {}, {}, 0});
  for (Horizon& horizon : horizons_) {
    for (Call call : calls) {
      call.due = advice.asked + horizon.length;
      horizon.calls.push_back(std::move(call));
      ++pending_;
    }
  }
}

bool ModelScoreboard::right(strategy::AdviceAction action, double change) const {
  switch (action) {
    case strategy::AdviceAction::kBuy:
      return change > 0;
    case strategy::AdviceAction::kSell:
      return change < 0;
    case strategy::AdviceAction::kHold:
      return std::abs(change) < hold_band_;
    case strategy::AdviceAction::kClose:
      return change <= hold_band_;
  }
  return false;
}

void ModelScoreboard::score(const Call& call, const std::string& window, core::Decimal now_price,
                            core::Timestamp now) {
  const Key key{call.agent, call.model, window};
  ModelScore& s = scores_[key];
  s.agent = call.agent;
  s.model = call.model;
  s.window = window;
  s.updated = now;
  const double change = (now_price - call.price).to_double() / call.price.to_double();
  ++s.decisions;
  if (right(call.action, change)) {
    ++s.wins;
  } else {
    ++s.losses;
  }
  s.score = static_cast<double>(s.wins) / static_cast<double>(s.decisions);
  const double direction = call.action == strategy::AdviceAction::kBuy    ? 1.0
                           : call.action == strategy::AdviceAction::kSell ? -1.0
                                                                          : 0.0;
  s.pnl += core::Decimal::from_double(100.0 * direction * change, 8);
  s.cost += call.cost;
  // A running mean, continuing the stored one.
  s.avg_latency_us = (s.avg_latency_us * (s.decisions - 1) + call.latency_us) / s.decisions;
  if (std::find(changed_.begin(), changed_.end(), key) == changed_.end()) changed_.push_back(key);
}

std::vector<ModelScore> ModelScoreboard::score_due(
    core::Timestamp now,
    const std::function<std::optional<core::Decimal>(const std::string&)>& price_of) {
  for (Horizon& horizon : horizons_) {
    while (!horizon.calls.empty() && horizon.calls.front().due <= now) {
      const Call& call = horizon.calls.front();
      const auto price = price_of(call.symbol);
      if (!price || !price->is_positive()) break;  // scored once the price is known again
      score(call, horizon.window, *price, now);
      horizon.calls.pop_front();
      --pending_;
    }
  }
  std::vector<ModelScore> out;
  for (const Key& key : changed_) out.push_back(scores_.at(key));
  changed_.clear();
  return out;
}

std::vector<ModelScore> ModelScoreboard::leaderboard(const std::string& window) const {
  std::vector<ModelScore> out;
  for (const auto& [key, s] : scores_) {
    if (s.window == window) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const ModelScore& a, const ModelScore& b) {
    return a.score != b.score ? a.score > b.score : a.pnl > b.pnl;
  });
  return out;
}

}  // namespace tg4::agents
