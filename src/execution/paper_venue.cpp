#include "execution/paper_venue.hpp"

#include <algorithm>

namespace tg4::execution {

using core::Decimal;
using core::OrderStatus;
using core::OrderType;
using core::Side;

namespace {

const Decimal kTenThousand = Decimal::from_int(10'000);
const Decimal kPercent = Decimal::from_int(100);

// The trigger an order report carries: the order's, for the types that have one.
Decimal venue_trigger(const OrderRequest& r) { return is_trigger_type(r.type) ? r.trigger_price : Decimal{}; }

// A sell stop fires when the price falls to its trigger, a sell take-profit when it rises to it;
// buys mirror them. True for the triggers that fire on a fall.
bool fires_on_a_fall(const OrderRequest& r) {
  const bool stop = r.type == OrderType::kStopLoss || r.type == OrderType::kStopLossLimit || r.type == OrderType::kTrailingStop;
  return stop == (r.side == Side::kSell);
}

std::string pad_id(const char* prefix, std::uint64_t n) {
  std::string digits = std::to_string(n);
  return std::string(prefix) + std::string(digits.size() < 8 ? 8 - digits.size() : 0, '0') + digits;
}

}  // namespace

PaperVenue::PaperVenue(const core::InstrumentRegistry& instruments, PaperConfig config,
                       BookProvider books, ExecutionSink sink)
    : instruments_(instruments), config_(std::move(config)), books_(std::move(books)), sink_(std::move(sink)) {}

void PaperVenue::deposit(const std::string& asset, Decimal amount) {
  wallet_[asset] += amount;
  emit(core::BalanceUpdate{asset, wallet_[asset], {}});
  flush();
}

void PaperVenue::restore_orders(const std::vector<RestoredOrder>& orders, core::Timestamp now) {
  for (const RestoredOrder& restored : orders) {
    const OrderRequest& request = restored.request;
    const core::Instrument* instrument = instruments_.find(request.symbol);
    if (instrument == nullptr || orders_.contains(request.client_order_id)) continue;
    PaperOrder order;
    order.request = request;
    order.venue_id = restored.venue_order_id.empty() ? pad_id(("PV" + config_.id_prefix).c_str(), next_venue_id_++)
                                                     : restored.venue_order_id;
    order.active_at = now;
    order.active = true;
    order.filled = restored.filled;
    order.cost = restored.filled * restored.avg_price;
    order.triggered = restored.filled.is_positive();
    order.status = restored.filled.is_positive() ? OrderStatus::kPartiallyFilled : OrderStatus::kNew;
    order.margin = is_margin_order(request);
    (void)reserve(order, *instrument, has_limit(request.type) ? request.limit_price : request.trigger_price, false);
    arrival_.push_back(orders_.emplace(request.client_order_id, std::move(order)).first);
  }
}

Decimal PaperVenue::balance(const std::string& asset) const {
  const auto it = wallet_.find(asset);
  return it == wallet_.end() ? Decimal{} : it->second;
}

Decimal PaperVenue::available(const std::string& asset) const {
  const auto it = reserved_.find(asset);
  const auto held = margin_held_.find(asset);
  return balance(asset) - (it == reserved_.end() ? Decimal{} : it->second) -
         (held == margin_held_.end() ? Decimal{} : held->second);
}

Decimal PaperVenue::free_margin(const std::string& asset) const {
  Decimal unrealised;
  for (const auto& [symbol, position] : margin_positions_) {
    const core::Instrument* instrument = instruments_.find(symbol);
    if (instrument == nullptr || instrument->quote != asset) continue;
    const auto last = last_price_.find(symbol);
    const Decimal mark = last != last_price_.end()
                             ? last->second
                             : reference_price(symbol, position.qty.is_positive() ? Side::kSell : Side::kBuy);
    if (mark.is_positive()) unrealised += (mark - position.avg_price) * position.qty;
  }
  return available(asset) + unrealised;
}

const MarginPosition* PaperVenue::margin_position(const std::string& symbol) const {
  const auto it = margin_positions_.find(symbol);
  return it == margin_positions_.end() ? nullptr : &it->second;
}

void PaperVenue::restore_margin_position(const std::string& symbol, const MarginPosition& position) {
  const core::Instrument* instrument = instruments_.find(symbol);
  if (instrument == nullptr || position.qty.is_zero()) return;
  MarginPosition& pos = margin_positions_[symbol];
  margin_held_[instrument->quote] += position.margin - pos.margin;
  pos = position;
}

std::size_t PaperVenue::open_order_count() const {
  return static_cast<std::size_t>(std::count_if(orders_.begin(), orders_.end(), [](const auto& kv) {
    return !core::is_terminal(kv.second.status);
  }));
}

void PaperVenue::submit(const OrderRequest& request, core::Timestamp now) {
  const core::Instrument* instrument = instruments_.find(request.symbol);
  if (instrument == nullptr) return reject(request, "unknown symbol " + request.symbol, now), flush();
  if (orders_.contains(request.client_order_id)) {
    // Idempotent retry: the venue already has this client id; never a second order.
    return reject(request, "duplicate client order id " + request.client_order_id, now), flush();
  }
  PaperOrder order;
  order.request = request;
  order.request.qty = instrument->round_qty(request.qty);
  if (has_limit(request.type)) order.request.limit_price = instrument->round_price(request.limit_price);
  if (is_trigger_type(request.type)) order.request.trigger_price = instrument->round_price(request.trigger_price);
  order.venue_id = pad_id(("PV" + config_.id_prefix).c_str(), next_venue_id_++);
  order.active_at = now + config_.latency;
  arrival_.push_back(orders_.emplace(request.client_order_id, std::move(order)).first);
  if (config_.latency.count() <= 0) activate_due(now);
  flush();
}

void PaperVenue::cancel(const std::string& client_order_id, core::Timestamp now) {
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.status)) {
    emit(core::OrderUpdate{client_order_id, {}, {}, Side::kBuy, OrderType::kMarket, OrderStatus::kRejected,
                           {}, {}, {}, {}, "cancel: unknown or closed order " + client_order_id, now, {}, core::Refused::kNone});
  } else {
    finish(it->second, OrderStatus::kCanceled, "canceled by request", now);
  }
  flush();
}

void PaperVenue::cancel_all(core::Timestamp now) {
  for (auto& [id, order] : orders_) {
    if (!core::is_terminal(order.status)) finish(order, OrderStatus::kCanceled, "canceled by cancel_all", now);
  }
  flush();
}

void PaperVenue::request_snapshot(SnapshotSink done) {
  VenueSnapshot snapshot;
  for (const OrderSlot slot : arrival_) {
    const PaperOrder& order = slot->second;
    if (core::is_terminal(order.status)) continue;
    const OrderRequest& r = order.request;
    const Decimal avg = order.filled.is_positive() ? order.cost / order.filled : Decimal{};
    snapshot.open_orders.push_back(core::OrderUpdate{r.client_order_id, order.venue_id, r.symbol, r.side, r.type,
                                                     order.status, r.qty, order.filled,
                                                     has_limit(r.type) ? r.limit_price : r.trigger_price, avg,
                                                     {}, {}, venue_trigger(r), core::Refused::kNone});
  }
  snapshot.balances = wallet_;
  done(std::move(snapshot));
}

void PaperVenue::amend(const OrderRequest& amended, Decimal qty, Decimal price, core::Timestamp now) {
  const auto it = orders_.find(amended.client_order_id);
  if (it == orders_.end() || core::is_terminal(it->second.status)) return;
  PaperOrder& order = it->second;
  const core::Instrument* instrument = instruments_.find(order.request.symbol);
  if (qty.is_positive()) {
    order.request.qty = core::max(instrument->round_qty(qty), order.filled);
    if (order.reserved_asset == instrument->base) {  // a sell's lock follows its remaining quantity
      const Decimal remaining = order.request.qty - order.filled;
      reserved_[order.reserved_asset] += remaining - order.reserved;
      order.reserved = remaining;
    }
  }
  if (price.is_positive()) {
    if (is_trigger_type(order.request.type) && !order.triggered) {
      order.request.trigger_price = instrument->round_price(price);
    } else if (has_limit(order.request.type)) {
      order.request.limit_price = instrument->round_price(price);
    }
  }
  if (order.active) {
    report(order, now, "amended");
    match(order, now, nullptr);
  }
  flush();
}

void PaperVenue::on_book(const std::string& symbol, core::Timestamp now) {
  activate_due(now);
  for (const OrderSlot slot : arrival_) {
    PaperOrder& order = slot->second;
    if (order.active && order.request.symbol == symbol && !core::is_terminal(order.status)) match(order, now, nullptr);
  }
  flush();
}

void PaperVenue::on_trade(const core::Trade& trade, core::Timestamp now) {
  last_price_[trade.symbol] = trade.price;
  if (config_.volume_share_pct.is_positive()) {
    trade_volume_left_ =
        (trade.qty * config_.volume_share_pct / kPercent).round(8, core::Rounding::kDown);
  }
  activate_due(now);
  for (const OrderSlot slot : arrival_) {
    PaperOrder& order = slot->second;
    if (order.active && order.request.symbol == trade.symbol && !core::is_terminal(order.status)) {
      match(order, now, &trade);
    }
  }
  trade_volume_left_ = Decimal{};
  flush();
}

void PaperVenue::on_time(core::Timestamp now) {
  activate_due(now);
  flush();
}

bool PaperVenue::quiet_between(std::string_view symbol, Decimal low, Decimal high) const {
  return std::all_of(arrival_.begin(), arrival_.end(), [&](const OrderSlot slot) {
    const PaperOrder& order = slot->second;
    if (core::is_terminal(order.status)) return true;
    if (!order.active) return false;  // it may become active at one of these trades
    return order.request.symbol != symbol || quiet_between(order, low, high);
  });
}

// The prices at which match() would act on an active order, mirrored from is_triggered() and
// match(): outside them, a trade only moves the last price.
bool PaperVenue::quiet_between(const PaperOrder& order, Decimal low, Decimal high) const {
  const OrderRequest& r = order.request;
  if (!order.triggered && is_trigger_type(r.type)) {
    return fires_on_a_fall(r) ? low > r.trigger_price : high < r.trigger_price;
  }
  if (!has_limit(r.type) || is_marketable(order)) return false;  // it takes liquidity now
  return r.side == Side::kSell ? high < r.limit_price : low > r.limit_price;
}

void PaperVenue::activate_due(core::Timestamp now) {
  for (const OrderSlot slot : arrival_) {
    PaperOrder& order = slot->second;
    if (!order.active && order.status == OrderStatus::kPendingNew && order.active_at <= now) activate(order, now);
  }
  // Forget finished orders' arrival slots; their records stay for idempotency checks.
  std::erase_if(arrival_, [](const OrderSlot slot) { return core::is_terminal(slot->second.status); });
}

void PaperVenue::activate(PaperOrder& order, core::Timestamp now) {
  const OrderRequest& r = order.request;
  const core::Instrument& instrument = *instruments_.find(r.symbol);
  const auto rejected = [&](const std::string& reason) { finish(order, OrderStatus::kRejected, reason, now); };
  if (!r.qty.is_positive()) return rejected("quantity rounds to zero at increment " + instrument.qty_increment.to_string());
  if (r.qty < instrument.qty_min) {
    return rejected("quantity " + r.qty.to_string() + " below minimum " + instrument.qty_min.to_string());
  }
  const Decimal price = has_limit(r.type) ? r.limit_price : reference_price(r.symbol, r.side);
  if (!price.is_positive()) return rejected("no price for " + r.symbol + " yet");
  const Decimal cost = price * r.qty;
  if (cost < instrument.cost_min) {
    return rejected("order cost " + cost.to_string() + " below minimum " + instrument.cost_min.to_string());
  }
  if (r.post_only && is_marketable(order)) return rejected("post-only order would take liquidity");
  order.margin = is_margin_order(r);
  if (const std::string refused = reserve(order, instrument, price, true); !refused.empty()) return rejected(refused);
  order.active = true;
  order.status = OrderStatus::kNew;
  report(order, now);
  match(order, now, nullptr);
}

// With margin on: an order against the open margin position reduces it; otherwise a sell that is
// not reduce-only (a short) or a leveraged entry opens one, and a reduce-only buy can only cover.
bool PaperVenue::is_margin_order(const OrderRequest& r) const {
  if (!config_.margin) return false;
  const MarginPosition* position = margin_position(r.symbol);
  if (position != nullptr && position->qty.is_positive() != (r.side == Side::kBuy)) return true;
  if (r.reduce_only) return r.side == Side::kBuy;
  return r.side == Side::kSell || r.leverage > Decimal::one();
}

// What an order holds while open: a spot buy its quote and the fee, a spot sell its coins, a margin
// entry notional / leverage and the fee. Exits (reduce-only) and orders against a margin position
// reserve nothing (unless lock_exits, spot): the stop and the target of one OCO pair cover the same
// position. `check` false (a restart) takes the reservation without judging it.
std::string PaperVenue::reserve(PaperOrder& order, const core::Instrument& instrument, Decimal price, bool check) {
  const OrderRequest& r = order.request;
  const bool buy = r.side == Side::kBuy;
  const Decimal remaining = r.qty - order.filled;
  std::string asset;
  Decimal need;
  if (order.margin) {
    const MarginPosition* position = margin_position(r.symbol);
    if (r.reduce_only || (position != nullptr && position->qty.is_positive() != buy)) return {};
    if (r.leverage < Decimal::one()) return "leverage " + r.leverage.to_string() + " is below 1";
    if (position != nullptr && position->leverage != r.leverage) {
      return "leverage " + r.leverage.to_string() + " differs from the open " + r.symbol + " position's " +
             position->leverage.to_string();
    }
    asset = instrument.quote;
    need = price * remaining / r.leverage + price * remaining * fee_rate(instrument, false);
    if (check && free_margin(asset) < need) {
      return "insufficient margin: need " + need.to_string(8) + " " + asset + ", free " +
             free_margin(asset).to_string(8);
    }
  } else {
    if (r.reduce_only && !config_.lock_exits) return {};
    asset = buy ? instrument.quote : instrument.base;
    need = buy ? price * remaining * (Decimal::one() + fee_rate(instrument, false)) : remaining;
    if (check && available(asset) < need) {
      return "insufficient " + asset + ": need " + need.to_string(8) + ", available " + available(asset).to_string(8);
    }
  }
  order.reserved_asset = asset;
  order.reserved = need;
  reserved_[asset] += need;
  return {};
}

bool PaperVenue::is_triggered(const PaperOrder& order) const {
  if (order.triggered || !is_trigger_type(order.request.type)) return true;
  const auto last = last_price_.find(order.request.symbol);
  if (last == last_price_.end()) return false;
  const Decimal p = last->second;
  const Decimal trigger = order.request.trigger_price;
  return fires_on_a_fall(order.request) ? p <= trigger : p >= trigger;
}

bool PaperVenue::is_marketable(const PaperOrder& order) const {
  const OrderRequest& r = order.request;
  if (!has_limit(r.type)) return true;
  if (const auto book = books_ ? books_(r.symbol) : std::nullopt) {
    if (r.side == Side::kBuy && !book->asks.empty()) return book->asks.front().price <= r.limit_price;
    if (r.side == Side::kSell && !book->bids.empty()) return book->bids.front().price >= r.limit_price;
  }
  return false;
}

void PaperVenue::match(PaperOrder& order, core::Timestamp now, const core::Trade* trade) {
  if (!is_triggered(order)) return;
  // An active order not triggered at the previous price that triggers on a continuous trade was
  // crossed on the way there: the market stood at its trigger then.
  std::optional<Decimal> crossed_at;
  if (!order.triggered && is_trigger_type(order.request.type)) {
    order.triggered = true;
    if (trade != nullptr && trade->continuous) crossed_at = order.request.trigger_price;
    report(order, now, "triggered");
  }
  const OrderRequest& r = order.request;
  if (!has_limit(r.type)) {
    take_liquidity(order, now, std::nullopt, crossed_at);
  } else if (is_marketable(order)) {
    take_liquidity(order, now, r.limit_price);
  } else if (trade != nullptr) {
    // A resting limit fills as maker when the market trades through its price.
    const bool crosses = r.side == Side::kBuy ? trade->price < r.limit_price : trade->price > r.limit_price;
    const bool at_price = trade->price == r.limit_price && trade->side != r.side;
    if (crosses || at_price) fill(order, r.limit_price, core::min(trade->qty, r.qty - order.filled), true, now);
  }
  if (!core::is_terminal(order.status) && r.tif == core::TimeInForce::kIoc && order.filled < r.qty) {
    finish(order, OrderStatus::kCanceled, "IOC remainder canceled", now);
  }
}

void PaperVenue::take_liquidity(PaperOrder& order, core::Timestamp now,
                                std::optional<Decimal> limit, std::optional<Decimal> at) {
  const OrderRequest& r = order.request;
  const bool buy = r.side == Side::kBuy;
  const auto book = books_ ? books_(r.symbol) : std::nullopt;
  const std::span<const core::PriceLevel> levels =
      book ? (buy ? book->asks : book->bids) : std::span<const core::PriceLevel>{};
  for (const core::PriceLevel& level : levels) {
    const Decimal remaining = r.qty - order.filled;
    if (!remaining.is_positive() || core::is_terminal(order.status)) return;
    if (limit && (buy ? level.price > *limit : level.price < *limit)) return;  // rests as maker
    fill(order, level.price, core::min(remaining, level.qty), false, now);
  }
  const Decimal remaining = r.qty - order.filled;
  if (!remaining.is_positive() || core::is_terminal(order.status) || limit) return;
  // Book exhausted or absent: the rest fills at the last price moved against us by the slippage.
  const Decimal base = !levels.empty() ? levels.back().price
                       : at            ? *at
                                       : reference_price(r.symbol, r.side);
  if (!base.is_positive()) return finish(order, OrderStatus::kCanceled, "no liquidity and no last price", now);
  const Decimal slip = config_.slippage_bps / kTenThousand;
  const core::Instrument& instrument = *instruments_.find(r.symbol);
  const Decimal price = instrument.round_price(base * (buy ? Decimal::one() + slip : Decimal::one() - slip),
                                               buy ? core::Rounding::kCeiling : core::Rounding::kFloor);
  // A sell slipped (or rounded down to the tick) to nothing would give the position away.
  if (!price.is_positive()) {
    return finish(order, OrderStatus::kCanceled,
                  "the slipped price " + price.to_string() + " is not positive (last " + base.to_string() +
                      ", slippage " + config_.slippage_bps.to_string() + " bps)",
                  now);
  }
  fill(order, price, volume_allowed(instrument, remaining), false, now);
}

// Without a book, the trades are the only measure of what the market took: with a volume share,
// an order fills at most that share of the trade at hand (what other orders left of it), rounded
// down to the pair's increment; the rest waits for later trades.
Decimal PaperVenue::volume_allowed(const core::Instrument& instrument, Decimal wanted) {
  if (!config_.volume_share_pct.is_positive()) return wanted;
  const Decimal allowed = instrument.round_qty(core::min(wanted, trade_volume_left_));
  trade_volume_left_ -= allowed;
  return allowed;
}

void PaperVenue::fill(PaperOrder& order, Decimal price, Decimal qty, bool maker, core::Timestamp now) {
  if (!qty.is_positive()) return;
  const OrderRequest& r = order.request;
  const core::Instrument& instrument = *instruments_.find(r.symbol);
  const bool buy = r.side == Side::kBuy;
  if (order.margin) {
    // Only an order that reserved margin may open; the others close what is open, no more.
    const MarginPosition* position = margin_position(r.symbol);
    const bool against = position != nullptr && position->qty.is_positive() != buy;
    if (order.reserved_asset.empty()) qty = against ? core::min(qty, position->qty.abs()) : Decimal{};
    if (!qty.is_positive()) return finish(order, OrderStatus::kCanceled, "no margin position left to close", now);
  } else if (r.reduce_only && !buy) {
    qty = core::min(qty, balance(instrument.base));  // spot: never sell what is not held
  }
  if (!qty.is_positive()) return finish(order, OrderStatus::kCanceled, "nothing left to sell", now);
  const Decimal notional = price * qty;
  const Decimal fee = (notional * fee_rate(instrument, maker)).round(config_.fee_precision, core::Rounding::kHalfEven);
  core::Fill executed{r.client_order_id, order.venue_id, pad_id(("PX" + config_.id_prefix).c_str(), next_exec_id_++),
                    r.symbol, r.side, price, qty, fee, instrument.quote, maker, now};
  if (order.margin) {
    executed.margin = true;
    executed.leverage = settle_margin(order, instrument, price, qty, fee);
  } else if (buy) {
    wallet_[instrument.base] += qty;
    wallet_[instrument.quote] -= notional + fee;
  } else {
    wallet_[instrument.base] -= qty;
    wallet_[instrument.quote] += notional - fee;
  }
  if (!order.reserved_asset.empty() && !order.margin) {
    const Decimal used = core::min(order.reserved, buy ? notional + fee : qty);
    order.reserved -= used;
    reserved_[order.reserved_asset] -= used;
  }
  order.filled += qty;
  order.cost += notional;
  emit(std::move(executed));
  if (!order.margin) emit(core::BalanceUpdate{instrument.base, wallet_[instrument.base], now});
  emit(core::BalanceUpdate{instrument.quote, wallet_[instrument.quote], now});
  if (order.filled >= r.qty) {
    finish(order, OrderStatus::kFilled, {}, now);
  } else if (order.margin && order.reserved_asset.empty() && margin_position(r.symbol) == nullptr) {
    finish(order, OrderStatus::kCanceled, "margin position closed: remainder canceled", now);
  } else {
    order.status = OrderStatus::kPartiallyFilled;
    report(order, now);
  }
}

// A margin fill: the part against the position closes it (its PnL and released margin settle in
// the quote currency), the rest opens or adds at the position's leverage. Returns that leverage.
Decimal PaperVenue::settle_margin(PaperOrder& order, const core::Instrument& instrument, Decimal price, Decimal qty,
                                  Decimal fee) {
  const OrderRequest& r = order.request;
  const bool buy = r.side == Side::kBuy;
  MarginPosition& position = margin_positions_[r.symbol];
  Decimal& held = margin_held_[instrument.quote];
  const bool against = !position.qty.is_zero() && position.qty.is_positive() != buy;
  const Decimal closing = against ? core::min(qty, position.qty.abs()) : Decimal{};
  if (closing.is_positive()) {
    const Decimal direction = position.qty.is_positive() ? Decimal::one() : -Decimal::one();
    const Decimal released =
        closing == position.qty.abs() ? position.margin : position.margin * closing / position.qty.abs();
    wallet_[instrument.quote] += (price - position.avg_price) * closing * direction;
    position.margin -= released;
    held -= released;
    position.qty += buy ? closing : -closing;
  }
  const Decimal opening = qty - closing;
  if (opening.is_positive()) {
    if (position.qty.is_zero()) position.leverage = r.leverage;
    const Decimal new_qty = position.qty + (buy ? opening : -opening);
    position.avg_price = (position.avg_price * position.qty.abs() + price * opening) / new_qty.abs();
    position.qty = new_qty;
    const Decimal margin = price * opening / position.leverage;
    position.margin += margin;
    held += margin;
    if (!order.reserved_asset.empty()) {
      const Decimal used = core::min(order.reserved, margin + fee);
      order.reserved -= used;
      reserved_[order.reserved_asset] -= used;
    }
  }
  wallet_[instrument.quote] -= fee;
  const Decimal leverage = position.leverage;
  if (position.qty.is_zero()) margin_positions_.erase(r.symbol);
  return leverage;
}

void PaperVenue::finish(PaperOrder& order, OrderStatus status, const std::string& reason, core::Timestamp now) {
  if (!order.reserved_asset.empty() && order.reserved.is_positive()) {
    reserved_[order.reserved_asset] -= order.reserved;
    order.reserved = Decimal{};
  }
  order.status = status;
  report(order, now, reason);
}

void PaperVenue::report(const PaperOrder& order, core::Timestamp now, const std::string& reason) {
  const OrderRequest& r = order.request;
  const Decimal avg = order.filled.is_positive() ? order.cost / order.filled : Decimal{};
  const Decimal price = has_limit(r.type) ? r.limit_price : r.trigger_price;
  emit(core::OrderUpdate{r.client_order_id, order.venue_id, r.symbol, r.side, r.type, order.status, r.qty,
                         order.filled, price, avg, reason, now, venue_trigger(r), core::Refused::kNone});
}

void PaperVenue::reject(const OrderRequest& request, const std::string& reason, core::Timestamp now) {
  emit(core::OrderUpdate{request.client_order_id, {}, request.symbol, request.side, request.type,
                         OrderStatus::kRejected, request.qty, {}, request.limit_price, {}, reason, now, {}, core::Refused::kNone});
}

Decimal order_cost_pct(const PaperConfig& config, const core::Instrument& instrument, bool market) {
  const Decimal taker = config.taker_fee.value_or(instrument.taker_fee) * Decimal::from_int(100);
  return market ? taker + config.slippage_bps / Decimal::from_int(100) : taker;
}

Decimal PaperVenue::fee_rate(const core::Instrument& instrument, bool maker) const {
  if (maker) return config_.maker_fee.value_or(instrument.maker_fee);
  return config_.taker_fee.value_or(instrument.taker_fee);
}

Decimal PaperVenue::reference_price(const std::string& symbol, Side side) const {
  if (const auto book = books_ ? books_(symbol) : std::nullopt) {
    const auto& levels = side == Side::kBuy ? book->asks : book->bids;
    if (!levels.empty()) return levels.front().price;
  }
  const auto it = last_price_.find(symbol);
  return it == last_price_.end() ? Decimal{} : it->second;
}

void PaperVenue::emit(core::ExecutionEvent event) { outbox_.push_back(std::move(event)); }

void PaperVenue::flush() {
  if (flushing_) return;  // a listener that submits from inside a report: its events join this drain
  flushing_ = true;
  for (std::size_t i = 0; i < outbox_.size(); ++i) {
    core::ExecutionEvent event = std::move(outbox_[i]);
    if (sink_) sink_(std::move(event));
  }
  outbox_.clear();
  flushing_ = false;
}

}  // namespace tg4::execution
