#pragma once
// Portfolio: what we own, valued exactly. Spot multi-asset balances change only through fills (and
// explicit deposits, e.g. the paper starting balances); each symbol's position keeps its average cost,
// so realised PnL is exact. Equity and PnL are reported in one currency (USDT by default), converting
// through the latest mark prices, directly or via one intermediate asset (XRP -> BTC -> USDT).
//
// Margin fills (core::Fill::margin, paper venue with margin on) make margin positions instead:
// signed (a short is a negative quantity), the base balance untouched, the fee paid in the quote
// currency at once and the PnL of the reduced part settled there; equity adds their unrealised PnL.
// A symbol holds one position at a time, spot or margin (the order manager closes one before the
// venue opens the other).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/instrument.hpp"
#include "execution/hodl_bags.hpp"

namespace tg4::execution {

struct Position {
  std::string symbol;
  core::Decimal qty;         // base units held by this position (spot: >= 0; margin short: < 0)
  core::Decimal avg_price;   // average entry price in the quote currency
  core::Decimal realised_pnl;  // quote currency, after fees
  core::Decimal fees;          // quote currency
  core::Decimal open_fees;     // fees paid to open the part still held (for per-trade PnL)
  // PnL of the parts closed since the position opened (reporting currency): one trade's, however
  // many fills its exits take.
  core::Decimal round_trip_pnl;
  core::Timestamp opened;
  std::int64_t trades = 0;
  bool margin = false;  // opened by a margin fill
  core::Decimal leverage = core::Decimal::one();
  bool is_open() const { return !qty.is_zero(); }
  bool is_short() const { return qty.is_negative(); }
  // Quote currency a margin position holds at the venue: |qty| x avg_price / leverage.
  core::Decimal margin_used() const;
};

// A position reduced or closed by a fill: the input for risk streaks and trade statistics.
struct ClosedTrade {
  std::string symbol;
  core::Decimal qty;
  core::Decimal entry_price;
  core::Decimal exit_price;
  core::Decimal pnl_quote;      // after the exit's fee and the entry fee share
  core::Decimal pnl_reporting;  // pnl_quote converted at the exit time
  core::Timestamp opened;
  core::Timestamp closed;
  // The position is flat (or flipped) after this part: its trade is over, with this PnL (the
  // sum of every part's pnl_reporting). A trade is one outcome for the risk streaks, not a fill.
  bool ends_round_trip = false;
  core::Decimal round_trip_pnl;
};

// Everything a restart needs to continue a portfolio exactly (portfolio_state.hpp writes it as JSON).
struct PortfolioState {
  std::map<std::string, core::Decimal> balances;
  std::map<std::string, Position> positions;
  std::map<std::string, core::Decimal> marks;
  core::Decimal realised_reporting;
  core::Decimal fees_reporting;
  // The hodl bags (SPEC §9): kept by the pipeline's HodlBags, saved and restored with the account.
  HodlState hodl;
  // When the last portfolio rebalance batch started (unset: none yet): a restart keeps the batches
  // portfolio.batch_interval apart, whatever plan it makes next.
  core::Timestamp rebalance_batch_started;
};

class Portfolio {
 public:
  explicit Portfolio(std::string reporting_currency = "USDT");

  void deposit(const std::string& asset, core::Decimal amount);
  // Applies a fill to balances and the symbol's position; returns the closed part, if any.
  std::optional<ClosedTrade> apply_fill(const core::Fill& fill, const core::Instrument& instrument);
  // A fill for the account's holdings (a hodl bag's buy, a rebalance's order): balances and fees
  // move, no position does (holdings are never traded).
  void apply_holding_fill(const core::Fill& fill, const core::Instrument& instrument);
  void set_mark(const std::string& symbol, core::Decimal price);
  // A real venue's balance report is the truth for the asset's amount (positions keep their cost).
  void set_balance(const std::string& asset, core::Decimal amount);

  PortfolioState state() const;
  // Replaces everything with a saved state (a restart), before any fill of this session.
  void restore(const PortfolioState& state);

  core::Decimal balance(const std::string& asset) const;
  const std::map<std::string, core::Decimal>& balances() const { return balances_; }
  const Position* position(const std::string& symbol) const;
  core::Decimal position_qty(const std::string& symbol) const;  // signed; zero when there is none
  const std::map<std::string, Position>& positions() const { return positions_; }
  std::optional<core::Decimal> mark(const std::string& symbol) const;

  // Value of `amount` of `asset` in the reporting currency; nullopt when no price path exists.
  std::optional<core::Decimal> value_in_reporting(const std::string& asset, core::Decimal amount) const;
  // Balances plus the margin positions' unrealised PnL; assets without a price path are left out
  // (and listed by unpriced()).
  core::Decimal equity() const;

  std::vector<std::string> unpriced() const;
  core::Decimal unrealised_pnl() const;  // reporting currency
  core::Decimal realised_pnl() const { return realised_reporting_; }
  core::Decimal fees_paid() const { return fees_reporting_; }
  // Margin held by the open margin positions, and equity less it (reporting currency).
  core::Decimal used_margin() const;
  core::Decimal free_margin() const { return equity() - used_margin(); }
  // Notional of the open position in the reporting currency (exposure for the risk engine).
  core::Decimal exposure(const std::string& symbol) const;
  const std::string& reporting_currency() const { return reporting_; }

 private:
  // Balances, fees and the mark of a fill; the fee in the quote currency.
  core::Decimal apply_to_balances(const core::Fill& fill, const core::Instrument& instrument);
  std::optional<core::Decimal> rate(const std::string& from, const std::string& to) const;
  core::Decimal compute_equity() const;
  // Unrealised PnL of one position in the reporting currency; nullopt without a mark or a pair.
  std::optional<core::Decimal> position_pnl(const std::string& symbol, const Position& position) const;

  std::string reporting_;
  std::map<std::string, core::Decimal> balances_;
  std::map<std::string, Position> positions_;
  std::map<std::string, core::Decimal> marks_;  // symbol -> last price
  std::map<std::string, std::pair<std::string, std::string>> pairs_;  // symbol -> base, quote
  core::Decimal realised_reporting_;
  core::Decimal fees_reporting_;
  // equity() as last computed, cleared by every change: a tick values the account and the next
  // reader (an equity sample, a risk check) asks again before anything moved. One thread only.
  mutable std::optional<core::Decimal> equity_;
  // Whether that equity used any mark: not when everything is held in the reporting currency and no
  // margin position is open (flat between trades). A new mark leaves such an equity valid.
  mutable bool equity_uses_marks_ = true;
};

}  // namespace tg4::execution
