#include "execution/portfolio.hpp"

namespace tg4::execution {

using core::Decimal;

Decimal Position::margin_used() const {
  return margin && is_open() ? qty.abs() * avg_price / leverage : Decimal{};
}

Portfolio::Portfolio(std::string reporting_currency) : reporting_(std::move(reporting_currency)) {}

void Portfolio::deposit(const std::string& asset, Decimal amount) {
  equity_.reset();
  balances_[asset] += amount;
}

void Portfolio::set_balance(const std::string& asset, Decimal amount) {
  equity_.reset();
  balances_[asset] = amount;
}

PortfolioState Portfolio::state() const {
  return PortfolioState{balances_,       positions_, marks_, realised_reporting_,
                        fees_reporting_, {},         {}};
}

void Portfolio::restore(const PortfolioState& state) {
  equity_.reset();
  balances_ = state.balances;
  positions_ = state.positions;
  marks_.clear();
  pairs_.clear();
  for (const auto& [symbol, price] : state.marks) set_mark(symbol, price);
  for (const auto& [symbol, position] : positions_) {
    if (auto parts = core::split_symbol(symbol)) pairs_[symbol] = *parts;
  }
  realised_reporting_ = state.realised_reporting;
  fees_reporting_ = state.fees_reporting;
}

void Portfolio::set_mark(const std::string& symbol, Decimal price) {
  if (!price.is_positive()) return;
  if (equity_uses_marks_) equity_.reset();
  const auto [mark, added] = marks_.try_emplace(symbol, price);
  if (!added) {  // every trade marks its symbol: one lookup, the pair was settled with the first mark
    mark->second = price;
    return;
  }
  if (!pairs_.contains(symbol)) {
    if (auto parts = core::split_symbol(symbol)) pairs_[symbol] = *parts;
  }
}

Decimal Portfolio::apply_to_balances(const core::Fill& fill, const core::Instrument& instrument) {
  equity_.reset();
  const Decimal notional = fill.price * fill.qty;
  const std::string& fee_asset = fill.fee_currency.empty() ? instrument.quote : fill.fee_currency;
  pairs_[instrument.symbol] = {instrument.base, instrument.quote};
  set_mark(instrument.symbol, fill.price);
  if (fill.margin) {
    // A margin position: the base balance stays; the reduced part's PnL settles below.
  } else if (fill.side == core::Side::kBuy) {
    balances_[instrument.base] += fill.qty;
    balances_[instrument.quote] -= notional;
  } else {
    balances_[instrument.base] -= fill.qty;
    balances_[instrument.quote] += notional;
  }
  balances_[fee_asset] -= fill.fee;
  // Fees are accounted in the quote currency; a fee charged in base is converted at the fill price.
  const Decimal fee_quote = fee_asset == instrument.base ? fill.fee * fill.price : fill.fee;
  fees_reporting_ += value_in_reporting(instrument.quote, fee_quote).value_or(Decimal{});
  return fee_quote;
}

void Portfolio::apply_holding_fill(const core::Fill& fill, const core::Instrument& instrument) {
  apply_to_balances(fill, instrument);
}

std::optional<ClosedTrade> Portfolio::apply_fill(const core::Fill& fill,
                                                 const core::Instrument& instrument) {
  const Decimal fee_quote = apply_to_balances(fill, instrument);
  Position& pos = positions_[instrument.symbol];
  pos.symbol = instrument.symbol;
  pos.fees += fee_quote;
  ++pos.trades;
  const Decimal signed_qty = fill.side == core::Side::kBuy ? fill.qty : -fill.qty;
  const bool opening = pos.qty.is_zero() || (pos.qty.is_positive() == signed_qty.is_positive());
  if (opening) {
    if (pos.qty.is_zero()) {
      pos.opened = fill.time;
      pos.margin = fill.margin;
      pos.leverage = fill.margin ? fill.leverage : Decimal::one();
      pos.round_trip_pnl = Decimal{};
    }
    const Decimal new_qty = pos.qty + signed_qty;
    pos.avg_price = (pos.avg_price * pos.qty.abs() + fill.price * fill.qty) / new_qty.abs();
    pos.qty = new_qty;
    pos.open_fees += fee_quote;
    pos.realised_pnl -= fee_quote;
    realised_reporting_ -= value_in_reporting(instrument.quote, fee_quote).value_or(Decimal{});
    return std::nullopt;
  }
  // Reducing (and possibly flipping) the position.
  const Decimal closed_qty = core::min(fill.qty, pos.qty.abs());
  const Decimal direction = pos.qty.is_positive() ? Decimal::one() : -Decimal::one();
  const Decimal gross = (fill.price - pos.avg_price) * closed_qty * direction;
  const Decimal exit_fee = fee_quote * closed_qty / fill.qty;
  const Decimal entry_fee_share = pos.open_fees * closed_qty / pos.qty.abs();
  const Decimal pnl = gross - exit_fee;  // the entry fee was already booked when the position opened
  const Decimal trade_pnl = pnl - entry_fee_share;
  if (fill.margin) balances_[instrument.quote] += gross;
  ClosedTrade trade{instrument.symbol,
                    closed_qty,
                    pos.avg_price,
                    fill.price,
                    trade_pnl,
                    value_in_reporting(instrument.quote, trade_pnl).value_or(Decimal{}),
                    pos.opened,
                    fill.time,
                    false,
                    Decimal{}};
  pos.open_fees -= entry_fee_share;
  pos.realised_pnl += pnl;
  realised_reporting_ += value_in_reporting(instrument.quote, pnl).value_or(Decimal{});
  pos.round_trip_pnl += trade.pnl_reporting;
  trade.round_trip_pnl = pos.round_trip_pnl;
  pos.qty += signed_qty;
  trade.ends_round_trip = pos.qty.is_zero() || pos.qty.is_positive() == signed_qty.is_positive();
  if (pos.qty.is_zero()) {
    pos.avg_price = Decimal{};
    pos.open_fees = Decimal{};
    pos.round_trip_pnl = Decimal{};
  } else if (pos.qty.is_positive() == signed_qty.is_positive()) {
    // Flipped through zero: the remainder opens a new position at the fill price.
    pos.avg_price = fill.price;
    pos.opened = fill.time;
    pos.margin = fill.margin;
    pos.leverage = fill.margin ? fill.leverage : Decimal::one();
    pos.round_trip_pnl = Decimal{};
  }
  return trade;
}

Decimal Portfolio::balance(const std::string& asset) const {
  const auto it = balances_.find(asset);
  return it == balances_.end() ? Decimal{} : it->second;
}

const Position* Portfolio::position(const std::string& symbol) const {
  const auto it = positions_.find(symbol);
  return it == positions_.end() ? nullptr : &it->second;
}

Decimal Portfolio::position_qty(const std::string& symbol) const {
  const Position* p = position(symbol);
  return p == nullptr ? Decimal{} : p->qty;
}

std::optional<Decimal> Portfolio::mark(const std::string& symbol) const {
  const auto it = marks_.find(symbol);
  if (it == marks_.end()) return std::nullopt;
  return it->second;
}

std::optional<Decimal> Portfolio::rate(const std::string& from, const std::string& to) const {
  if (from == to) return Decimal::one();
  for (const auto& [symbol, parts] : pairs_) {
    const auto m = marks_.find(symbol);
    if (m == marks_.end()) continue;
    if (parts.first == from && parts.second == to) return m->second;
    if (parts.first == to && parts.second == from) return Decimal::div(Decimal::one(), m->second, core::Rounding::kHalfEven);
  }
  return std::nullopt;
}

std::optional<Decimal> Portfolio::value_in_reporting(const std::string& asset, Decimal amount) const {
  if (auto direct = rate(asset, reporting_)) return amount * *direct;
  // One hop through any asset we have a price for (e.g. XRP -> BTC -> USDT).
  for (const auto& [symbol, parts] : pairs_) {
    for (const std::string& via : {parts.first, parts.second}) {
      if (via == asset || via == reporting_) continue;
      auto first = rate(asset, via);
      if (!first) continue;
      if (auto second = rate(via, reporting_)) return amount * *first * *second;
    }
  }
  return std::nullopt;
}

Decimal Portfolio::equity() const {
  if (!equity_) equity_ = compute_equity();
  return *equity_;
}

Decimal Portfolio::compute_equity() const {
  Decimal total;
  equity_uses_marks_ = false;
  for (const auto& [asset, amount] : balances_) {
    if (amount.is_zero()) continue;
    total += value_in_reporting(asset, amount).value_or(Decimal{});
    if (asset != reporting_) equity_uses_marks_ = true;
  }
  for (const auto& [symbol, pos] : positions_) {
    if (!pos.margin || !pos.is_open()) continue;
    total += position_pnl(symbol, pos).value_or(Decimal{});
    equity_uses_marks_ = true;
  }
  return total;
}

Decimal Portfolio::used_margin() const {
  Decimal total;
  for (const auto& [symbol, pos] : positions_) {
    const auto parts = pairs_.find(symbol);
    if (!pos.margin || !pos.is_open() || parts == pairs_.end()) continue;
    total += value_in_reporting(parts->second.second, pos.margin_used()).value_or(Decimal{});
  }
  return total;
}

std::vector<std::string> Portfolio::unpriced() const {
  std::vector<std::string> out;
  for (const auto& [asset, amount] : balances_) {
    if (!amount.is_zero() && !value_in_reporting(asset, amount)) out.push_back(asset);
  }
  return out;
}

std::optional<Decimal> Portfolio::position_pnl(const std::string& symbol, const Position& pos) const {
  const auto m = mark(symbol);
  const auto parts = pairs_.find(symbol);
  if (!m || parts == pairs_.end()) return std::nullopt;
  return value_in_reporting(parts->second.second, (*m - pos.avg_price) * pos.qty);
}

Decimal Portfolio::unrealised_pnl() const {
  Decimal total;
  for (const auto& [symbol, pos] : positions_) {
    if (pos.is_open()) total += position_pnl(symbol, pos).value_or(Decimal{});
  }
  return total;
}

Decimal Portfolio::exposure(const std::string& symbol) const {
  const Position* pos = position(symbol);
  const auto parts = pairs_.find(symbol);
  if (pos == nullptr || !pos->is_open() || parts == pairs_.end()) return Decimal{};
  return value_in_reporting(parts->second.first, pos->qty.abs()).value_or(Decimal{});
}

}  // namespace tg4::execution
