#pragma once
// PaperVenue: a simulated exchange on the kernel thread (SPEC §8). Orders become active after the
// configured latency; market orders walk the live book (or, without a book, fill at the last price
// with slippage); resting limits fill as maker when the market trades through or crosses them;
// stop-loss / take-profit orders trigger on the last trade price. Fees follow the instrument's
// maker/taker rates, quantities and prices are rounded to its increments, and spot orders need the
// balance (reserved while the order is open). Deterministic: the same events give the same fills.
//
// Margin (PaperConfig::margin, SPEC §8 "spot only unless margin is enabled"), Kraken-style: a sell
// that is not reduce-only, or any entry with leverage > 1, opens a margin position. It holds
// notional / leverage of the quote currency (reserved with the fee while the order is open, refused
// with "insufficient margin: need X, free Y" otherwise) and never moves the base balance; an order
// against the open position reduces it, and the PnL settles in the quote currency. One leverage per
// position; free margin = available quote + the positions' unrealised PnL at the last price.
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "execution/venue.hpp"

namespace tg4::execution {

struct PaperConfig {
  core::Decimal slippage_bps = core::Decimal::from_int(5);
  core::Duration latency = std::chrono::milliseconds(100);
  std::optional<core::Decimal> maker_fee;  // overrides the instrument's rates when set
  std::optional<core::Decimal> taker_fee;
  int fee_precision = 8;
  // Put in every venue order id and exec id, so ids stay unique across restarts of one account
  // (the pipeline uses its session's client-id prefix). Empty in tests: "PV00000001".
  std::string id_prefix;
  // Kraken spot locks the coins of every resting sell, exits included, so a stop and a take-profit
  // on one position cannot both rest. Off: exits reserve nothing (one OCO pair covers the same coins).
  bool lock_exits = false;
  // Margin trading (config paper.margin): shorts and leveraged positions, see the class comment.
  bool margin = false;
  // Without a book, the most of each trade's quantity orders may take, percent (config
  // paper.volume_share_pct); the rest waits for later trades. Zero: no limit.
  core::Decimal volume_share_pct;
};

// What an order may cost at the paper venue beyond its notional, in percent of it: the taker fee
// (the venue reserves it with a buy, or with a margin entry's margin) and, for a market order, the
// slippage a fill without a book moves its price by. Risk rule 9 adds it to the size it funds.
core::Decimal order_cost_pct(const PaperConfig& config, const core::Instrument& instrument,
                             bool market);

// A margin position at the paper venue: signed quantity (short < 0) and the quote it holds.
struct MarginPosition {
  core::Decimal qty;
  core::Decimal avg_price;
  core::Decimal leverage = core::Decimal::one();
  core::Decimal margin;  // quote currency held: Σ notional / leverage of the open part
};

struct BookView {
  std::span<const core::PriceLevel> bids;  // high -> low
  std::span<const core::PriceLevel> asks;  // low -> high
};
// Returns the current book of a symbol (valid ones only), or nullopt.
using BookProvider = std::function<std::optional<BookView>(const std::string& symbol)>;

class PaperVenue final : public Venue {
 public:
  PaperVenue(const core::InstrumentRegistry& instruments, PaperConfig config, BookProvider books,
             ExecutionSink sink);

  void deposit(const std::string& asset, core::Decimal amount);
  // Restart: orders that were open at the venue before, active at once with their fills so far;
  // each reserves what it still needs and reports nothing (the store already has its state).
  void restore_orders(const std::vector<RestoredOrder>& orders, core::Timestamp now) override;

  void submit(const OrderRequest& request, core::Timestamp now) override;
  void cancel(const std::string& client_order_id, core::Timestamp now) override;
  void amend(const OrderRequest& order, core::Decimal qty, core::Decimal price,
             core::Timestamp now) override;
  void cancel_all(core::Timestamp now) override;
  // Synchronous: the paper venue's own open orders and wallet.
  void request_snapshot(SnapshotSink done) override;
  const char* name() const override { return "paper"; }
  bool locks_balance_per_order() const override { return config_.lock_exits; }

  // Market data, in event order.
  void on_book(const std::string& symbol, core::Timestamp now) override;
  void on_trade(const core::Trade& trade, core::Timestamp now) override;
  void on_time(core::Timestamp now) override;
  // True when trades of `symbol` at prices within [low, high] could change nothing but its last
  // price: no order anywhere waits for its latency to pass, and no active order of the symbol would
  // trigger or fill at such a price. Conservative: a price equal to a resting limit counts as a fill.
  bool quiet_between(std::string_view symbol, core::Decimal low, core::Decimal high) const;
  // What on_trade does for a trade quiet_between vouched for.
  void set_last_price(const std::string& symbol, core::Decimal price) { last_price_[symbol] = price; }

  // Restart: a margin position the previous session left open (the portfolio has it).
  void restore_margin_position(const std::string& symbol, const MarginPosition& position);

  core::Decimal balance(const std::string& asset) const;
  // Balance less what open orders reserve and margin positions hold.
  core::Decimal available(const std::string& asset) const;
  // available(asset) plus the unrealised PnL of the margin positions settled in `asset`.
  core::Decimal free_margin(const std::string& asset) const;
  const MarginPosition* margin_position(const std::string& symbol) const;
  const std::map<std::string, core::Decimal>& wallet() const { return wallet_; }
  std::size_t open_order_count() const;

 private:
  struct PaperOrder {
    OrderRequest request;
    std::string venue_id;
    core::Timestamp active_at;
    bool active = false;
    bool triggered = false;
    core::Decimal filled;
    core::Decimal cost;  // quote, for the average price
    std::string reserved_asset;
    core::Decimal reserved;
    bool margin = false;  // opens or reduces a margin position (decided at activation)
    core::OrderStatus status = core::OrderStatus::kPendingNew;
  };

  void activate_due(core::Timestamp now);
  void activate(PaperOrder& order, core::Timestamp now);
  void match(PaperOrder& order, core::Timestamp now, const core::Trade* trade);
  // `at`: the price the market was at when the order triggered, when it is not the last trade's
  // (a candle's walk that crossed the trigger); the fill moves from it by the slippage.
  void take_liquidity(PaperOrder& order, core::Timestamp now, std::optional<core::Decimal> limit,
                      std::optional<core::Decimal> at = std::nullopt);
  core::Decimal volume_allowed(const core::Instrument& instrument, core::Decimal wanted);
  void fill(PaperOrder& order, core::Decimal price, core::Decimal qty, bool maker, core::Timestamp now);
  void finish(PaperOrder& order, core::OrderStatus status, const std::string& reason, core::Timestamp now);
  void report(const PaperOrder& order, core::Timestamp now, const std::string& reason = {});
  void reject(const OrderRequest& request, const std::string& reason, core::Timestamp now);
  bool is_margin_order(const OrderRequest& r) const;
  // Reserves what an opening order needs; the rejection reason, or empty.
  std::string reserve(PaperOrder& order, const core::Instrument& instrument, core::Decimal price, bool check);
  core::Decimal settle_margin(PaperOrder& order, const core::Instrument& instrument, core::Decimal price,
                              core::Decimal qty, core::Decimal fee);
  bool is_triggered(const PaperOrder& order) const;
  bool quiet_between(const PaperOrder& order, core::Decimal low, core::Decimal high) const;
  bool is_marketable(const PaperOrder& order) const;
  core::Decimal fee_rate(const core::Instrument& instrument, bool maker) const;
  core::Decimal reference_price(const std::string& symbol, core::Side side) const;
  void emit(core::ExecutionEvent event);
  void flush();

  const core::InstrumentRegistry& instruments_;
  PaperConfig config_;
  BookProvider books_;
  ExecutionSink sink_;
  std::map<std::string, PaperOrder> orders_;  // by client order id; ordered for determinism
  // The open orders in submission order (price-time fairness). Map iterators stay valid (orders_
  // never erases) and spare a string-keyed lookup per order on every market event.
  using OrderSlot = std::map<std::string, PaperOrder>::iterator;
  std::vector<OrderSlot> arrival_;
  std::map<std::string, core::Decimal> wallet_;
  std::map<std::string, core::Decimal> reserved_;
  std::map<std::string, MarginPosition> margin_positions_;  // by symbol; flat ones erased
  std::map<std::string, core::Decimal> margin_held_;        // quote asset -> Σ positions' margin
  std::map<std::string, core::Decimal> last_price_;
  // With a volume share: what orders may still take of the trade on_trade is matching; zero
  // outside on_trade (no trade at hand: a market order without a book waits for one).
  core::Decimal trade_volume_left_;
  std::vector<core::ExecutionEvent> outbox_;
  bool flushing_ = false;
  std::uint64_t next_venue_id_ = 1;
  std::uint64_t next_exec_id_ = 1;
};

}  // namespace tg4::execution
