// MatchingEngine on a real simulated BTC/USDT market stepped by hand: every fill, fee and balance
// is checked to the last digit, and resting orders are filled only by trades that go through them.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "sim/matching_engine.hpp"
#include "sim/price_model.hpp"
#include "sim/sim_symbol.hpp"

namespace tg4::sim {
namespace {

using core::Decimal;
using core::OrderType;
using core::Side;

Decimal round_up(Decimal v) {
  return v.round(8, core::Rounding::kUp);
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : metrics_(registry_), exchange_(options_, metrics_, spdlog::default_logger()) {
    exchange_.now = [this] { return now_; };
    auto symbol = make_sim_symbol("BTC/USDT");
    auto state = std::make_unique<SymbolState>();
    state->symbol = *symbol;
    PriceModelParams params;
    params.annual_volatility = state->symbol.annual_volatility;
    model_ = std::make_unique<PriceModel>(params);
    HistoryParams history;
    history.start = now_;
    history.days = 1;
    state->history = std::make_unique<SymbolHistory>(state->symbol, *model_, 7, history);
    state->market =
        std::make_unique<SymbolMarket>(state->symbol, *model_, state->history->end_state(), 11,
                                       state->history->next_trade_id(), now_, 10.0);
    exchange_.symbols.push_back(std::move(state));
    state_ = exchange_.symbols.back().get();
    account_ = std::make_unique<Account>(std::map<std::string, Decimal>{
        {"USDT", Decimal::from_int(1'000'000)}, {"BTC", Decimal::from_int(10)}});
    engine_ = std::make_unique<MatchingEngine>(exchange_, *account_, 3);
  }

  const SimBook& book() const { return state_->market->book(); }
  Decimal best(bool bid) const { return book().price(*book().best(bid)); }
  Decimal tick() const { return state_->symbol.instrument.price_increment; }

  OrderRequest order(Side side, OrderType type, const char* qty) {
    OrderRequest r;
    r.symbol = "BTC/USDT";
    r.side = side;
    r.type = type;
    r.order_qty = Decimal::must(qty);
    return r;
  }

  // Steps the market until `done` holds (a bounded number of events).
  bool step_until(const std::function<bool()>& done, int max_steps = 200'000) {
    for (int i = 0; i < max_steps; ++i) {
      state_->market->step(step_);
      now_ = step_.time;
      engine_->on_market(*state_, step_, events_);
      if (done()) return true;
    }
    return false;
  }

  std::vector<const Execution*> rows(ExecType type, const std::string& order_id = {}) const {
    std::vector<const Execution*> out;
    for (const auto& e : events_.executions) {
      if (e.type == type && (order_id.empty() || e.order.order_id == order_id)) out.push_back(&e);
    }
    return out;
  }

  prometheus::Registry registry_;
  SimOptions options_;
  SimMetrics metrics_;
  Exchange exchange_;
  core::Timestamp now_ = core::Timestamp::from_seconds(1704067200);
  std::unique_ptr<PriceModel> model_;
  SymbolState* state_ = nullptr;
  std::unique_ptr<Account> account_;
  std::unique_ptr<MatchingEngine> engine_;
  MarketStep step_;
  EngineEvents events_;
};

TEST_F(EngineTest, MarketBuyWalksTheAsksAndPaysTheTakerFee) {
  const auto asks = book().asks();
  const Decimal qty = asks[0].qty + asks[1].qty.round_to_increment(Decimal::must("0.00000001"),
                                                                   core::Rounding::kDown) /
                                        Decimal::from_int(2);
  auto r = order(Side::kBuy, OrderType::kMarket, "1");
  r.order_qty = qty.round_to_increment(Decimal::must("0.00000001"), core::Rounding::kDown);
  auto placed = engine_->add(r, events_);
  ASSERT_TRUE(placed) << placed.error().message;
  const auto trades = rows(ExecType::kTrade);
  ASSERT_EQ(trades.size(), 2u);
  Decimal paid;
  for (std::size_t i = 0; i < 2; ++i) {
    const Fill& f = *trades[i]->fill;
    EXPECT_EQ(f.price, book().price(asks[i].ticks));
    EXPECT_FALSE(f.maker);
    EXPECT_EQ(f.cost, (f.qty * f.price).round(8));
    EXPECT_EQ(f.fee, round_up(f.cost * Decimal::must("0.0026")));
    paid += f.cost + f.fee;
  }
  EXPECT_EQ(trades[0]->fill->qty, asks[0].qty);
  EXPECT_EQ(trades[0]->fill->qty + trades[1]->fill->qty, r.order_qty);
  EXPECT_EQ(rows(ExecType::kFilled).size(), 1u);
  EXPECT_EQ(account_->balance("USDT"), Decimal::from_int(1'000'000) - paid);
  EXPECT_EQ(account_->balance("BTC"), Decimal::from_int(10) + r.order_qty);
  EXPECT_TRUE(engine_->open_orders().empty());
  ASSERT_EQ(events_.ledger.size(), 4u);
  EXPECT_EQ(events_.ledger[0].asset, "USDT");
  EXPECT_EQ(events_.ledger[0].fee, trades[0]->fill->fee);
}

TEST_F(EngineTest, RestingLimitsFillAsMakersInPriceTimePriorityWhenTradedThrough) {
  const Decimal bid = best(true);
  auto first = order(Side::kBuy, OrderType::kLimit, "0.01");
  first.limit_price = bid;
  auto second = first;
  auto better = first;
  better.limit_price = bid - tick();  // a worse price for a buy: last in line
  auto a = engine_->add(first, events_);
  auto b = engine_->add(second, events_);
  auto c = engine_->add(better, events_);
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(rows(ExecType::kTrade).empty()) << "a bid at the best bid is not marketable";
  // Holds: price x qty x (1 + taker fee), rounded up.
  const Decimal hold =
      round_up(bid * Decimal::must("0.01") * Decimal::must("1.0026")) * Decimal::from_int(2) +
      round_up((bid - tick()) * Decimal::must("0.01") * Decimal::must("1.0026"));
  EXPECT_EQ(account_->held("USDT"), hold);

  ASSERT_TRUE(step_until([&] { return !rows(ExecType::kTrade).empty(); }));
  const auto trades = rows(ExecType::kTrade);
  // The first fill goes to the earliest order at the best price.
  EXPECT_EQ(trades.front()->order.order_id, a->order_id);
  const Fill& f = *trades.front()->fill;
  EXPECT_TRUE(f.maker);
  EXPECT_EQ(f.price, bid);
  EXPECT_EQ(f.fee, round_up(f.cost * Decimal::must("0.0016")));
  ASSERT_TRUE(step_until([&] { return engine_->open_orders().empty(); }));
  // Order of fills: a, b at the bid, then c one tick lower.
  std::vector<std::string> filled;
  for (const auto* e : rows(ExecType::kFilled)) filled.push_back(e->order.order_id);
  EXPECT_EQ(filled, (std::vector<std::string>{a->order_id, b->order_id, c->order_id}));
  EXPECT_EQ(account_->held("USDT"), Decimal::zero());
}

TEST_F(EngineTest, PostOnlyThatWouldTakeIsCanceled) {
  auto r = order(Side::kBuy, OrderType::kLimit, "0.01");
  r.limit_price = best(false);
  r.post_only = true;
  auto placed = engine_->add(r, events_);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->status, core::OrderStatus::kCanceled);
  ASSERT_EQ(events_.executions.size(), 2u);
  EXPECT_EQ(events_.executions[0].type, ExecType::kPendingNew);
  EXPECT_EQ(events_.executions[1].type, ExecType::kCanceled);
  EXPECT_EQ(events_.executions[1].order.reason, "Post only order");
  EXPECT_EQ(account_->held("USDT"), Decimal::zero());
}

TEST_F(EngineTest, MarketableLimitTakesThenRestsAndIocCancelsTheRest) {
  const auto asks = book().asks();
  auto r = order(Side::kBuy, OrderType::kLimit, "1");
  r.limit_price = book().price(asks[0].ticks);
  r.order_qty = asks[0].qty + Decimal::must("0.5");
  auto rests = engine_->add(r, events_);
  ASSERT_TRUE(rests);
  EXPECT_EQ(rests->cum_qty, asks[0].qty);
  EXPECT_EQ(rests->status, core::OrderStatus::kPartiallyFilled);
  EXPECT_EQ(engine_->open_orders().size(), 1u);

  r.tif = core::TimeInForce::kIoc;
  auto ioc = engine_->add(r, events_);
  ASSERT_TRUE(ioc);
  EXPECT_EQ(ioc->status, core::OrderStatus::kCanceled);
  EXPECT_EQ(ioc->reason, "Immediate or cancel");
  EXPECT_EQ(ioc->cum_qty, asks[0].qty);
}

TEST_F(EngineTest, StopsAndTakeProfitsTriggerOnTheLastTradePrice) {
  ASSERT_TRUE(step_until([&] { return !step_.trades.empty(); }));
  const Decimal last = book().price(step_.trades.back().ticks);
  // Already through its trigger: fires at once and sells into the bids.
  auto stop = order(Side::kSell, OrderType::kStopLoss, "0.01");
  stop.trigger_price = last + tick() * Decimal::from_int(50);
  auto fired = engine_->add(stop, events_);
  ASSERT_TRUE(fired);
  EXPECT_EQ(fired->status, core::OrderStatus::kFilled);
  EXPECT_EQ(rows(ExecType::kRestated, fired->order_id).size(), 1u);
  EXPECT_FALSE(rows(ExecType::kTrade, fired->order_id).front()->fill->maker);

  // A take-profit-limit buy below the market waits, then becomes a limit when the price comes down.
  auto tp = order(Side::kBuy, OrderType::kTakeProfitLimit, "0.01");
  tp.trigger_price = last - tick() * Decimal::from_int(20);
  tp.limit_price = last + tick() * Decimal::from_int(2000);
  auto waiting = engine_->add(tp, events_);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->status, core::OrderStatus::kNew);
  EXPECT_FALSE(waiting->triggered);
  const std::string id = waiting->order_id;
  ASSERT_TRUE(step_until([&] { return !rows(ExecType::kRestated, id).empty(); }));
  const auto& restated = *rows(ExecType::kRestated, id).front();
  EXPECT_TRUE(restated.order.triggered);
  // The trade that fired it was at or below the trigger; the now marketable limit takes the asks.
  ASSERT_FALSE(rows(ExecType::kTrade, id).empty());
  EXPECT_LE(rows(ExecType::kTrade, id).front()->fill->price, *tp.limit_price);
}

TEST_F(EngineTest, RefusalsUseKrakensErrors) {
  auto big = order(Side::kBuy, OrderType::kLimit, "100");
  big.limit_price = best(true);
  EXPECT_EQ(engine_->add(big, events_).error().message, "EOrder:Insufficient funds");
  auto oversell = order(Side::kSell, OrderType::kMarket, "10.5");
  EXPECT_EQ(engine_->add(oversell, events_).error().message, "EOrder:Insufficient funds");
  auto tiny = order(Side::kBuy, OrderType::kLimit, "0.00001");
  tiny.limit_price = best(true);
  EXPECT_EQ(engine_->add(tiny, events_).error().message, "EOrder:Order minimum not met");
  auto fine = order(Side::kBuy, OrderType::kLimit, "0.01");
  fine.limit_price = best(true) + Decimal::must("0.05");
  EXPECT_EQ(engine_->add(fine, events_).error().message,
            "EOrder:Invalid price:BTC/USDT price can only be specified up to 1 decimals.");
  auto no_price = order(Side::kBuy, OrderType::kLimit, "0.01");
  EXPECT_EQ(engine_->add(no_price, events_).error().message,
            "EGeneral:Invalid arguments:limit_price is required for limit orders");
  auto unknown = order(Side::kBuy, OrderType::kMarket, "0.01");
  unknown.symbol = "DOGE/EUR";
  EXPECT_EQ(engine_->add(unknown, events_).error().message, "EQuery:Unknown asset pair");
  auto reduce = order(Side::kSell, OrderType::kMarket, "0.01");
  reduce.reduce_only = true;  // Kraken: reduces a margin position; a spot account has none
  EXPECT_EQ(engine_->add(reduce, events_).error().message, "EOrder:Reduce only:No position exists");
  EXPECT_TRUE(events_.executions.empty()) << "a refused order leaves no trace";
}

TEST_F(EngineTest, DuplicateClientIdOfAnOpenOrderIsRefusedUntilItCloses) {
  auto r = order(Side::kBuy, OrderType::kLimit, "0.01");
  r.limit_price = best(true) - Decimal::from_int(100);
  r.cl_ord_id = "retry-safe-1";
  auto first = engine_->add(r, events_);
  ASSERT_TRUE(first);
  EXPECT_EQ(engine_->add(r, events_).error().message, "EOrder:Duplicate order");
  ASSERT_TRUE(engine_->cancel({}, "retry-safe-1", events_));
  EXPECT_TRUE(engine_->add(r, events_)) << "a closed order's cl_ord_id can be used again";
  r.cl_ord_id = "this id is far too long for kraken";
  EXPECT_EQ(
      engine_->add(r, events_).error().message,
      "EGeneral:Invalid arguments:cl_ord_id must be a UUID or free text of at most 18 characters");
}

TEST_F(EngineTest, AmendKeepsPriorityOnASmallerQuantityAndLosesItOnANewPrice) {
  const Decimal price = best(true) - Decimal::from_int(100);
  auto r = order(Side::kBuy, OrderType::kLimit, "0.02");
  r.limit_price = price;
  auto a = engine_->add(r, events_);
  auto b = engine_->add(r, events_);
  ASSERT_TRUE(a && b);
  AmendRequest smaller;
  smaller.order_id = a->order_id;
  smaller.order_qty = Decimal::must("0.01");
  auto amended = engine_->amend(smaller, events_);
  ASSERT_TRUE(amended);
  EXPECT_EQ(engine_->open_orders().front()->order_id, a->order_id);
  EXPECT_EQ(rows(ExecType::kAmended, a->order_id).size(), 1u);
  AmendRequest repriced;
  repriced.cl_ord_id = "";
  repriced.order_id = a->order_id;
  repriced.limit_price = price;  // same price, but given: no change of price, keeps priority
  ASSERT_TRUE(engine_->amend(repriced, events_));
  EXPECT_EQ(engine_->open_orders().front()->order_id, a->order_id);
  repriced.limit_price = price - tick();
  ASSERT_TRUE(engine_->amend(repriced, events_));
  EXPECT_EQ(engine_->open_orders().front()->order_id, b->order_id);
  EXPECT_EQ(engine_->open_orders().back()->limit_price, price - tick());
  AmendRequest unknown;
  unknown.order_id = "ONOPE1-XXXXX-XXXXXX";
  unknown.order_qty = Decimal::one();
  EXPECT_EQ(engine_->amend(unknown, events_).error().message, "EOrder:Unknown order");
}

TEST_F(EngineTest, GtdOrdersExpireAndCancelAllClosesEverything) {
  auto r = order(Side::kSell, OrderType::kLimit, "0.01");
  r.limit_price = best(false) + Decimal::from_int(500);
  r.tif = core::TimeInForce::kGtd;
  r.expire_time = now_ + std::chrono::seconds(30);
  auto gtd = engine_->add(r, events_);
  r.tif = core::TimeInForce::kGtc;
  r.expire_time.reset();
  ASSERT_TRUE(gtd && engine_->add(r, events_) && engine_->add(r, events_));
  EXPECT_EQ(account_->held("BTC"), Decimal::must("0.03"));
  engine_->on_time(now_ + std::chrono::seconds(29), events_);
  EXPECT_TRUE(rows(ExecType::kExpired).empty());
  engine_->on_time(now_ + std::chrono::seconds(30), events_);
  ASSERT_EQ(rows(ExecType::kExpired).size(), 1u);
  EXPECT_EQ(engine_->find(gtd->order_id)->status, core::OrderStatus::kExpired);
  EXPECT_EQ(engine_->cancel_all("User requested", events_), 2u);
  EXPECT_TRUE(engine_->open_orders().empty());
  EXPECT_EQ(account_->held("BTC"), Decimal::zero());
  EXPECT_EQ(engine_->closed_orders().size(), 3u);
}

}  // namespace
}  // namespace tg4::sim
