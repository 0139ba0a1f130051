#include "sim/matching_engine.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/sim_symbol.hpp"

namespace tg4::sim {
namespace {

using core::Decimal;
using core::OrderStatus;
using core::OrderType;
using core::Rounding;

constexpr std::size_t kClosedKept = 10'000;
constexpr std::size_t kTradesKept = 50;  // the executions snapshot's "last 50 order fills"

bool is_buy(const SimOrder& o) {
  return o.side == core::Side::kBuy;
}

bool trigger_type(OrderType t) {
  return t == OrderType::kStopLoss || t == OrderType::kTakeProfit ||
         t == OrderType::kStopLossLimit || t == OrderType::kTakeProfitLimit;
}

int quote_precision(const core::Instrument& inst) {
  return asset_precision(inst.quote);
}

const std::string& pay_asset(const SimOrder& o) {
  return is_buy(o) ? o.instrument().quote : o.instrument().base;
}

Decimal trade_price(const core::Instrument& inst, std::int64_t ticks) {
  return Decimal::from_raw(inst.price_increment.raw() * ticks);
}

// What a fill of qty at price costs and what fee it pays (see the header for the rounding).
std::pair<Decimal, Decimal> cost_and_fee(const core::Instrument& inst, Decimal qty, Decimal price,
                                         Decimal rate) {
  const int qp = quote_precision(inst);
  const Decimal cost = Decimal::mul(qty, price, Rounding::kHalfEven).round(qp, Rounding::kHalfEven);
  const Decimal fee = Decimal::mul(cost, rate, Rounding::kUp).round(qp, Rounding::kUp);
  return {cost, fee};
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// Kraken accepts a UUID (36 characters with hyphens, or 32 hex digits) or free text of 1..18
// characters.
bool valid_cl_ord_id(std::string_view id) {
  if (id.size() == 36) {
    for (const std::size_t dash : {8u, 13u, 18u, 23u}) {
      if (id[dash] != '-') return false;
    }
    std::string hex;
    for (const char c : id) {
      if (c != '-') hex.push_back(c);
    }
    return hex.size() == 32 && is_hex(hex);
  }
  if (id.size() == 32) return is_hex(id);
  if (id.empty() || id.size() > 18) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127; });
}

core::Error invalid(std::string_view what) {
  return core::Error::of("EGeneral:Invalid arguments:" + std::string(what));
}

}  // namespace

const char* kraken_order_status(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPendingNew:
      return "pending_new";
    case OrderStatus::kNew:
      return "new";
    case OrderStatus::kPartiallyFilled:
      return "partially_filled";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
    case OrderStatus::kRejected:
      return "canceled";
    case OrderStatus::kExpired:
      return "expired";
  }
  return "new";
}

std::optional<OrderType> parse_order_type(std::string_view name) {
  for (const auto t :
       {OrderType::kMarket, OrderType::kLimit, OrderType::kStopLoss, OrderType::kTakeProfit,
        OrderType::kStopLossLimit, OrderType::kTakeProfitLimit}) {
    if (name == core::to_string(t)) return t;
  }
  return std::nullopt;
}

bool SimOrder::is_trigger_type() const {
  return trigger_type(type);
}

bool SimOrder::has_limit() const {
  return core::has_limit(type);
}

Decimal SimOrder::avg_price() const {
  if (!cum_qty.is_positive()) return Decimal::zero();
  return Decimal::div(cum_cost, cum_qty, Rounding::kHalfEven)
      .round(std::min(18, instrument().price_precision + 4));
}

MatchingEngine::MatchingEngine(Exchange& exchange, Account& account, std::uint64_t seed)
    : exchange_(exchange), account_(account), ids_(derive_seed(seed, 0x0DE25)) {}

std::string MatchingEngine::new_id(char prefix) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string id(1, prefix);
  for (const int n : {5, 5, 6}) {
    if (id.size() > 1) id.push_back('-');
    for (int i = 0; i < n; ++i) id.push_back(kChars[ids_.below(sizeof(kChars) - 1)]);
  }
  return id;
}

core::Status MatchingEngine::check_price(const core::Instrument& inst, Decimal price,
                                         const char* field) const {
  if (!price.is_positive()) return invalid(std::string(field) + " must be positive");
  if (price.round_to_increment(inst.price_increment, Rounding::kDown) != price) {
    return core::Error::of(
        fmt::format("EOrder:Invalid price:{} price can only be specified up to {} decimals.",
                    inst.symbol, inst.price_precision));
  }
  return {};
}

core::Status MatchingEngine::validate(const OrderRequest& r, const SymbolState& state) const {
  const auto& inst = state.symbol.instrument;
  const std::string type = core::to_string(r.type);
  if (!r.order_qty.is_positive()) return invalid("order_qty must be positive");
  if (r.order_qty.round_to_increment(inst.qty_increment, Rounding::kDown) != r.order_qty) {
    return invalid(fmt::format("order_qty {} has more than {} decimals for {}", r.order_qty,
                               inst.qty_precision, inst.symbol));
  }
  if (r.order_qty < inst.qty_min) return core::Error::of("EOrder:Order minimum not met");
  if (core::has_limit(r.type)) {
    if (!r.limit_price) return invalid("limit_price is required for " + type + " orders");
    if (auto s = check_price(inst, *r.limit_price, "limit_price"); !s) return s;
  } else if (r.limit_price) {
    return invalid("limit_price is not allowed for " + type + " orders");
  }
  if (trigger_type(r.type)) {
    if (!r.trigger_price) return invalid("triggers.price is required for " + type + " orders");
    if (auto s = check_price(inst, *r.trigger_price, "triggers.price"); !s) return s;
  } else if (r.trigger_price) {
    return invalid("triggers is not allowed for " + type + " orders");
  }
  if (r.post_only && r.type != OrderType::kLimit)
    return invalid("post_only is only available for limit orders");
  if (r.tif == core::TimeInForce::kIoc && r.type != OrderType::kLimit &&
      r.type != OrderType::kMarket) {
    return invalid("time_in_force ioc is only available for market and limit orders");
  }
  if (r.post_only && r.tif == core::TimeInForce::kIoc)
    return invalid("post_only cannot be combined with ioc");
  if (r.tif == core::TimeInForce::kGtd) {
    if (!r.expire_time) return invalid("expire_time is required when time_in_force is gtd");
    if (*r.expire_time <= exchange_.now()) return invalid("expire_time is not in the future");
  } else if (r.expire_time) {
    return invalid("expire_time needs time_in_force gtd");
  }
  if (!r.cl_ord_id.empty() && r.order_userref)
    return invalid("cl_ord_id and order_userref cannot both be set");
  if (!r.cl_ord_id.empty() && !valid_cl_ord_id(r.cl_ord_id)) {
    return invalid("cl_ord_id must be a UUID or free text of at most 18 characters");
  }
  const Decimal ref = r.limit_price     ? *r.limit_price
                      : r.trigger_price ? *r.trigger_price
                                        : last_price(state);
  if (Decimal::mul(r.order_qty, ref, Rounding::kHalfEven) < inst.cost_min) {
    return core::Error::of("EOrder:Cost minimum not met");
  }
  return {};
}

Decimal MatchingEngine::last_price(const SymbolState& state) const {
  const auto& inst = state.symbol.instrument;
  if (const auto it = last_.find(inst.symbol); it != last_.end()) return it->second;
  const auto recent = state.history->recent_trades(1);
  if (!recent.empty()) return trade_price(inst, recent.back().ticks);
  const auto& book = state.market->book();
  if (const auto bid = book.best(true)) return book.price(*bid);
  return inst.price_increment;
}

Decimal MatchingEngine::hold_for(const SimOrder& o) const {
  if (!o.is_open()) return Decimal::zero();
  const Decimal rem = o.remaining();
  if (!is_buy(o)) return rem;
  Decimal ref;
  if (o.has_limit())
    ref = *o.limit_price;
  else if (o.is_trigger_type() && !o.triggered)
    ref = *o.trigger_price;
  else
    return Decimal::zero();  // a market order executes at once and holds nothing
  const auto& inst = o.instrument();
  const Decimal cost = Decimal::mul(rem, ref, Rounding::kUp);
  return (cost + Decimal::mul(cost, inst.taker_fee, Rounding::kUp))
      .round(quote_precision(inst), Rounding::kUp);
}

Decimal MatchingEngine::market_buy_cost(const SymbolState& state, Decimal qty) const {
  const auto& book = state.market->book();
  const auto& inst = state.symbol.instrument;
  Decimal cost;
  for (const auto& level : book.asks()) {
    if (!qty.is_positive()) break;
    const Decimal q = core::min(level.qty, qty);
    cost += cost_and_fee(inst, q, book.price(level.ticks), inst.taker_fee).first;
    qty -= q;
  }
  return (cost + Decimal::mul(cost, inst.taker_fee, Rounding::kUp))
      .round(quote_precision(inst), Rounding::kUp);
}

bool MatchingEngine::marketable(const SimOrder& o) const {
  if (!o.has_limit()) return true;
  const auto& book = o.market->market->book();
  const auto best = book.best(!is_buy(o));
  if (!best) return false;
  const Decimal price = book.price(*best);
  return is_buy(o) ? price <= *o.limit_price : price >= *o.limit_price;
}

bool MatchingEngine::trigger_hit(const SimOrder& o, Decimal last) const {
  const bool stop = o.type == OrderType::kStopLoss || o.type == OrderType::kStopLossLimit;
  const Decimal trigger = *o.trigger_price;
  // A stop protects against the price moving against the position, a take-profit takes a move in
  // its favour: a sell stop fires at or below its price, a sell take-profit at or above.
  if (is_buy(o)) return stop ? last >= trigger : last <= trigger;
  return stop ? last <= trigger : last >= trigger;
}

void MatchingEngine::emit(ExecType type, const SimOrder& o, EngineEvents& out,
                          std::optional<Fill> f) {
  out.executions.push_back(Execution{type, o, std::move(f), exchange_.now()});
}

void MatchingEngine::rehold(SimOrder& o) {
  account_.release(pay_asset(o), o.held);
  o.held = hold_for(o);
  account_.hold(pay_asset(o), o.held);
}

void MatchingEngine::close(SimOrder& o, OrderStatus status, ExecType type, std::string reason,
                           EngineEvents& out) {
  account_.release(pay_asset(o), o.held);
  o.held = Decimal::zero();
  o.status = status;
  o.reason = std::move(reason);
  o.closed = exchange_.now();
  emit(type, o, out);
}

void MatchingEngine::fill(SimOrder& o, Decimal qty, Decimal price, bool maker, EngineEvents& out) {
  const auto& inst = o.instrument();
  const auto [cost, fee] = cost_and_fee(inst, qty, price, maker ? inst.maker_fee : inst.taker_fee);
  const auto now = exchange_.now();
  Fill f{new_id('T'), next_trade_id_++, qty, price, cost, fee, maker, now};
  // A resting order's hold shrinks with what is left of it; a taker's was released before it took.
  const bool resting = o.held.is_positive();
  account_.release(pay_asset(o), o.held);
  o.held = Decimal::zero();
  o.cum_qty += qty;
  o.cum_cost += cost;
  o.fee_paid += fee;
  if (is_buy(o)) {
    out.ledger.push_back(account_.post(inst.quote, -cost, fee, f.exec_id, new_id('L'), now));
    out.ledger.push_back(
        account_.post(inst.base, qty, Decimal::zero(), f.exec_id, new_id('L'), now));
  } else {
    out.ledger.push_back(
        account_.post(inst.base, -qty, Decimal::zero(), f.exec_id, new_id('L'), now));
    out.ledger.push_back(account_.post(inst.quote, cost, fee, f.exec_id, new_id('L'), now));
  }
  const bool done = !o.remaining().is_positive();
  o.status = done ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  emit(ExecType::kTrade, o, out, f);
  trades_.push_back(out.executions.back());
  if (trades_.size() > kTradesKept) trades_.pop_front();
  if (done)
    close(o, OrderStatus::kFilled, ExecType::kFilled, "", out);
  else if (resting)
    rehold(o);
}

bool MatchingEngine::take(SimOrder& o, EngineEvents& out) {
  const auto& book = o.market->market->book();
  const auto& inst = o.instrument();
  const bool buy = is_buy(o);
  // Copied: the levels are only read, but fills must not depend on a container another step
  // changes.
  const std::vector<BookLevel> levels = book.side(!buy);
  for (const auto& level : levels) {
    if (!o.remaining().is_positive()) break;
    const Decimal price = book.price(level.ticks);
    if (o.has_limit() && (buy ? price > *o.limit_price : price < *o.limit_price)) break;
    const Decimal want = core::min(level.qty, o.remaining());
    Decimal qty = want;
    if (buy) {
      const Decimal avail = account_.available(inst.quote);
      const auto affordable = [&](Decimal q) {
        const auto [cost, fee] = cost_and_fee(inst, q, price, inst.taker_fee);
        return cost + fee <= avail;
      };
      if (!affordable(qty)) {
        const Decimal unit = price + Decimal::mul(price, inst.taker_fee, Rounding::kUp);
        qty = core::min(want, Decimal::div(avail, unit, Rounding::kDown)
                                  .round_to_increment(inst.qty_increment, Rounding::kDown));
        while (qty.is_positive() && !affordable(qty)) qty -= inst.qty_increment;
      }
    } else {
      qty = core::min(want, account_.available(inst.base));
    }
    if (!qty.is_positive()) return true;
    fill(o, qty, price, false, out);
    if (qty < want) return true;  // the account ran out of funds part-way
  }
  return false;
}

void MatchingEngine::execute(SimOrder& o, EngineEvents& out) {
  account_.release(pay_asset(o), o.held);
  o.held = Decimal::zero();
  const bool short_of_funds = marketable(o) && take(o, out);
  if (!o.is_open()) return;
  if (!o.has_limit()) {
    // A market order takes what the book and the account allow; Kraken cancels the rest.
    close(o, OrderStatus::kCanceled, ExecType::kCanceled,
          short_of_funds ? "Insufficient funds" : "Insufficient liquidity", out);
    return;
  }
  if (o.tif == core::TimeInForce::kIoc) {
    close(o, OrderStatus::kCanceled, ExecType::kCanceled, "Immediate or cancel", out);
    return;
  }
  rehold(o);
}

core::Result<SimOrder> MatchingEngine::add(const OrderRequest& r, EngineEvents& out) {
  SymbolState* state = exchange_.find(r.symbol);
  if (state == nullptr) return core::Error::of("EQuery:Unknown asset pair");
  if (auto status = validate(r, *state); !status) return status.error();
  if (!r.cl_ord_id.empty() && find_open(std::string_view(), r.cl_ord_id) != nullptr) {
    return core::Error::of("EOrder:Duplicate order");
  }
  // As Kraken: reduce_only reduces a margin position, and the simulated account has none.
  if (r.reduce_only) return core::Error::of("EOrder:Reduce only:No position exists");
  SimOrder o;
  o.cl_ord_id = r.cl_ord_id;
  o.order_userref = r.order_userref;
  o.market = state;
  o.side = r.side;
  o.type = r.type;
  o.tif = r.tif;
  o.order_qty = r.order_qty;
  o.limit_price = r.limit_price;
  o.trigger_price = r.trigger_price;
  o.trigger_reference = r.trigger_reference;
  o.expire_time = r.expire_time;
  o.post_only = r.post_only;
  o.reduce_only = r.reduce_only;
  o.opened = exchange_.now();
  const bool market_buy = r.type == OrderType::kMarket && r.side == core::Side::kBuy;
  const Decimal need = market_buy ? market_buy_cost(*state, r.order_qty) : hold_for(o);
  if (account_.available(pay_asset(o)) < need) return core::Error::of("EOrder:Insufficient funds");

  o.order_id = new_id('O');
  o.seq = next_seq_++;
  const std::string id = o.order_id;
  SimOrder& placed = open_.emplace(o.seq, std::move(o)).first->second;
  open_by_id_[id] = placed.seq;
  if (!placed.cl_ord_id.empty()) open_by_cl_[placed.cl_ord_id] = placed.seq;
  emit(ExecType::kPendingNew, placed, out);
  if (placed.post_only && marketable(placed)) {
    close(placed, OrderStatus::kCanceled, ExecType::kCanceled, "Post only order", out);
  } else {
    placed.status = OrderStatus::kNew;
    emit(ExecType::kNew, placed, out);
    if (placed.is_trigger_type()) {
      rehold(placed);
      const Decimal last = last_price(*state);
      if (trigger_hit(placed, last)) {
        placed.triggered = true;
        placed.trigger_time = exchange_.now();
        emit(ExecType::kRestated, placed, out);
        execute(placed, out);
      }
    } else {
      execute(placed, out);
    }
  }
  SimOrder result = placed;
  sweep();
  return result;
}

core::Result<SimOrder> MatchingEngine::amend(const AmendRequest& r, EngineEvents& out) {
  SimOrder* o = find_open(r.order_id, r.cl_ord_id);
  if (o == nullptr) return core::Error::of("EOrder:Unknown order");
  if (!r.order_qty && !r.limit_price && !r.trigger_price && !r.post_only) {
    return invalid("nothing to amend (give order_qty, limit_price or trigger_price)");
  }
  const auto& inst = o->instrument();
  SimOrder next = *o;
  if (r.limit_price) {
    if (!o->has_limit())
      return invalid(
          fmt::format("limit_price cannot be amended on a {} order", core::to_string(o->type)));
    if (auto s = check_price(inst, *r.limit_price, "limit_price"); !s) return s.error();
    next.limit_price = r.limit_price;
  }
  if (r.trigger_price) {
    if (!o->is_trigger_type() || o->triggered)
      return invalid("trigger_price can only be amended on an untriggered order");
    if (auto s = check_price(inst, *r.trigger_price, "trigger_price"); !s) return s.error();
    next.trigger_price = r.trigger_price;
  }
  if (r.order_qty) {
    if (!r.order_qty->is_positive() ||
        r.order_qty->round_to_increment(inst.qty_increment, Rounding::kDown) != *r.order_qty) {
      return invalid(fmt::format("order_qty {} is not a positive multiple of {}", *r.order_qty,
                                 inst.qty_increment));
    }
    // Below what already filled: the order keeps its fills and the rest is cancelled.
    next.order_qty = core::max(*r.order_qty, o->cum_qty);
  }
  if (r.post_only) {
    if (*r.post_only && o->type != OrderType::kLimit)
      return invalid("post_only is only available for limit orders");
    next.post_only = *r.post_only;
  }
  if (next.post_only && next.limit_active() && marketable(next))
    return core::Error::of("EOrder:Post only order");
  if (hold_for(next) > account_.available(pay_asset(*o)) + o->held)
    return core::Error::of("EOrder:Insufficient funds");

  // Queue priority is kept unless the price changes or the quantity grows.
  const bool requeue = next.limit_price != o->limit_price || next.order_qty > o->order_qty;
  account_.release(pay_asset(*o), o->held);
  next.held = Decimal::zero();
  next.amended = true;
  *o = std::move(next);
  if (requeue) {
    auto node = open_.extract(o->seq);
    node.key() = next_seq_;
    node.mapped().seq = next_seq_++;
    open_by_id_[node.mapped().order_id] = node.key();
    if (!node.mapped().cl_ord_id.empty()) open_by_cl_[node.mapped().cl_ord_id] = node.key();
    o = &open_.insert(std::move(node)).position->second;
  }
  emit(ExecType::kAmended, *o, out);
  if (!o->remaining().is_positive()) {
    close(*o, OrderStatus::kCanceled, ExecType::kCanceled, "User requested", out);
  } else if (o->limit_active() && marketable(*o)) {
    execute(*o, out);
  } else if (o->is_trigger_type() && !o->triggered && trigger_hit(*o, last_price(*o->market))) {
    o->triggered = true;
    o->trigger_time = exchange_.now();
    emit(ExecType::kRestated, *o, out);
    execute(*o, out);
  } else {
    rehold(*o);
  }
  SimOrder result = *o;
  sweep();
  return result;
}

core::Result<SimOrder> MatchingEngine::cancel(std::string_view order_id, std::string_view cl_ord_id,
                                              EngineEvents& out) {
  SimOrder* o = find_open(order_id, cl_ord_id);
  if (o == nullptr) return core::Error::of("EOrder:Unknown order");
  close(*o, OrderStatus::kCanceled, ExecType::kCanceled, "User requested", out);
  SimOrder result = *o;
  sweep();
  return result;
}

std::size_t MatchingEngine::cancel_all(std::string_view reason, EngineEvents& out) {
  std::size_t n = 0;
  for (auto& [seq, o] : open_) {
    if (!o.is_open()) continue;
    close(o, OrderStatus::kCanceled, ExecType::kCanceled, std::string(reason), out);
    ++n;
  }
  sweep();
  return n;
}

void MatchingEngine::fill_resting(const SymbolState& state, const MarketTrade& trade,
                                  EngineEvents& out) {
  // A sell taker went down through the bids: the account's buys priced above the trade were better
  // bids and would have been hit first (and the mirror for a buy taker and resting sells).
  const bool buyers = trade.side == core::Side::kSell;
  const Decimal p = trade_price(state.symbol.instrument, trade.ticks);
  std::vector<SimOrder*> hit;
  for (auto& [seq, o] : open_) {
    if (o.is_open() && o.market == &state && o.limit_active() && is_buy(o) == buyers &&
        (buyers ? *o.limit_price > p : *o.limit_price < p)) {
      hit.push_back(&o);
    }
  }
  if (hit.empty()) return;
  // open_ iterates in time order, so a stable sort by price gives price-time priority.
  std::stable_sort(hit.begin(), hit.end(), [buyers](const SimOrder* a, const SimOrder* b) {
    return buyers ? *a->limit_price > *b->limit_price : *a->limit_price < *b->limit_price;
  });
  Decimal left = trade.qty;
  for (SimOrder* o : hit) {
    if (!left.is_positive()) break;
    const Decimal q = core::min(o->remaining(), left);
    fill(*o, q, *o->limit_price, true, out);
    left -= q;
  }
}

void MatchingEngine::fire_triggers(const SymbolState& state, Decimal last, EngineEvents& out) {
  std::vector<std::uint64_t> fired;
  for (auto& [seq, o] : open_) {
    if (o.is_open() && o.market == &state && o.is_trigger_type() && !o.triggered &&
        trigger_hit(o, last)) {
      fired.push_back(seq);
    }
  }
  for (const auto seq : fired) {
    SimOrder& o = open_.at(seq);
    o.triggered = true;
    o.trigger_time = exchange_.now();
    emit(ExecType::kRestated, o, out);
    execute(o, out);
  }
}

void MatchingEngine::on_market(const SymbolState& state, const MarketStep& step,
                               EngineEvents& out) {
  const auto& inst = state.symbol.instrument;
  for (const auto& trade : step.trades) {
    const Decimal price = trade_price(inst, trade.ticks);
    last_[inst.symbol] = price;
    if (open_.empty()) continue;
    fill_resting(state, trade, out);
    fire_triggers(state, price, out);
  }
  sweep();
}

void MatchingEngine::on_time(core::Timestamp now, EngineEvents& out) {
  for (auto& [seq, o] : open_) {
    if (o.is_open() && o.tif == core::TimeInForce::kGtd && o.expire_time && *o.expire_time <= now) {
      close(o, OrderStatus::kExpired, ExecType::kExpired, "Order expired", out);
    }
  }
  sweep();
}

void MatchingEngine::sweep() {
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.is_open()) {
      ++it;
      continue;
    }
    open_by_id_.erase(it->second.order_id);
    if (const auto c = open_by_cl_.find(it->second.cl_ord_id);
        c != open_by_cl_.end() && c->second == it->first) {
      open_by_cl_.erase(c);
    }
    closed_.push_back(std::move(it->second));
    if (closed_.size() > kClosedKept) closed_.pop_front();
    it = open_.erase(it);
  }
}

SimOrder* MatchingEngine::find_open(std::string_view order_id, std::string_view cl_ord_id) {
  const auto& index = order_id.empty() ? open_by_cl_ : open_by_id_;
  const auto it = index.find(std::string(order_id.empty() ? cl_ord_id : order_id));
  if (it == index.end()) return nullptr;
  SimOrder& o = open_.at(it->second);
  return o.is_open() ? &o : nullptr;
}

const SimOrder* MatchingEngine::find(std::string_view order_id) const {
  if (const auto it = open_by_id_.find(std::string(order_id)); it != open_by_id_.end())
    return &open_.at(it->second);
  for (auto it = closed_.rbegin(); it != closed_.rend(); ++it) {
    if (it->order_id == order_id) return &*it;
  }
  return nullptr;
}

const SimOrder* MatchingEngine::find_open_by_cl(std::string_view cl_ord_id) const {
  const auto it = open_by_cl_.find(std::string(cl_ord_id));
  if (it == open_by_cl_.end()) return nullptr;
  const SimOrder& o = open_.at(it->second);
  return o.is_open() ? &o : nullptr;
}

std::vector<const SimOrder*> MatchingEngine::open_orders() const {
  std::vector<const SimOrder*> out;
  for (const auto& [seq, o] : open_) {
    if (o.is_open()) out.push_back(&o);
  }
  return out;
}

}  // namespace tg4::sim
