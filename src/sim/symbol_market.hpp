#pragma once
// SymbolMarket: the live market of one pair. A fair price (PriceModel) moves with time; an L2 book
// around it gets liquidity added, cancelled and consumed by taker orders that arrive as a Poisson
// process, and refills behind. Each step yields the book changes and trades one event caused, which the
// simulator turns into Kraken frames. Deterministic: one seed, one sequence of steps.
#include <cstdint>
#include <vector>

#include "core/events.hpp"
#include "core/time.hpp"
#include "sim/price_model.hpp"
#include "sim/random.hpp"
#include "sim/sim_book.hpp"
#include "sim/sim_symbol.hpp"

namespace tg4::sim {

struct MarketTrade {
  core::Side side = core::Side::kBuy;  // taker side
  std::int64_t ticks = 0;
  core::Decimal qty;
  core::OrderType ord_type = core::OrderType::kMarket;
  std::int64_t trade_id = 0;
  core::Timestamp time;
};

struct MarketStep {
  core::Timestamp time;
  std::vector<LevelChange> changes;
  std::vector<MarketTrade> trades;
  void clear() {
    changes.clear();
    trades.clear();
  }
};

class SymbolMarket {
 public:
  // Levels kept per side: above the deepest subscription (1000) so depth-1000 views stay full.
  static constexpr std::size_t kLevelsPerSide = 1025;

  SymbolMarket(const SimSymbol& symbol, const PriceModel& model, PriceState start, std::uint64_t seed,
               std::int64_t next_trade_id, core::Timestamp start_time, double events_per_second);

  const SimSymbol& symbol() const { return symbol_; }
  const SimBook& book() const { return book_; }
  const PriceState& price_state() const { return state_; }
  core::Timestamp next_event_time() const { return next_event_; }
  std::int64_t next_trade_id() const { return next_trade_id_; }

  // Performs the event due at next_event_time() and schedules the following one.
  void step(MarketStep& out);

 private:
  void seed_book();
  core::Duration next_gap();
  void take(core::Side side, core::Decimal qty, std::int64_t limit_ticks, MarketStep& out);
  void add_liquidity(MarketStep& out);
  void cancel_liquidity(MarketStep& out);
  void requote(MarketStep& out);
  void pull(bool bid, std::int64_t through_ticks, MarketStep& out);
  void maintain_depth(MarketStep& out);
  core::Decimal level_qty(std::size_t rank_hint);
  core::Decimal trade_qty();
  void record(std::optional<LevelChange> change, MarketStep& out);
  std::int64_t fair_ticks() const;

  SimSymbol symbol_;
  const PriceModel& model_;
  PriceState state_;
  Random rng_;
  SimBook book_;
  double rate_;
  core::Timestamp now_;
  core::Timestamp next_event_;
  std::int64_t next_trade_id_;
};

}  // namespace tg4::sim
