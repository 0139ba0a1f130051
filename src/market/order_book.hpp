#pragma once
// OrderBook: the L2 book of one symbol as Kraken's `book` channel describes it (SPEC §3). Every
// level of a message is applied in order (qty 0 deletes), the book is truncated to the subscribed
// depth, then Kraken's CRC32 over the top 10 levels is verified. A mismatch marks the book invalid
// until the next snapshot (the caller resubscribes that symbol and counts it); updates for an
// invalid book are ignored. Prices are exact fixed-point Decimals; each side is a sorted flat
// array, so the top N is a span with no copying (BookView, the shape execution's BookProvider
// takes).
//
// The checksum needs the precisions Kraken writes the numbers with: set_precision() from the
// instrument, or, without one, the book learns them from the decimals written in its messages
// (Kraken writes full precision, trailing zeros included).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/events.hpp"
#include "market/book_side.hpp"
#include "market/checksum.hpp"

namespace tg4::market {

// The current levels of a book: bids high -> low, asks low -> high. Same fields as
// execution::BookView, so a BookProvider returns {view.bids, view.asks}.
struct BookView {
  std::span<const core::PriceLevel> bids;
  std::span<const core::PriceLevel> asks;
};

enum class ApplyResult : std::uint8_t {
  kApplied,           // applied; checksum verified
  kChecksumMismatch,  // applied, but the checksum differs: the book is now invalid
  kIgnored,           // an update while the book waits for a snapshot
  kWrongSymbol,       // the delta is for another symbol: nothing changed
};
const char* to_string(ApplyResult result);

struct BookStats {
  std::uint64_t snapshots = 0;
  std::uint64_t updates = 0;
  std::uint64_t checksum_ok = 0;
  std::uint64_t checksum_mismatch = 0;
  std::uint64_t ignored = 0;
};

// Base quantity and quote notional resting within a distance of the mid.
struct DepthWithin {
  core::Decimal bid_qty;
  core::Decimal ask_qty;
  core::Decimal bid_notional;
  core::Decimal ask_notional;
};

class OrderBook {
 public:
  // Kraken's subscription depths: 10, 25, 100, 500, 1000.
  explicit OrderBook(std::string symbol, std::size_t depth = 10);

  // The instrument's precisions, used for the checksum from now on (instead of learned ones).
  void set_precision(int price_precision, int qty_precision);
  // Applies a snapshot or an update. See ApplyResult.
  ApplyResult apply(const core::BookDelta& delta);
  // Marks the book invalid until the next snapshot (a lost connection, a resubscription).
  void invalidate();

  const std::string& symbol() const { return symbol_; }
  std::size_t depth() const { return depth_; }
  bool valid() const { return valid_; }
  int price_precision() const { return price_precision_; }
  int qty_precision() const { return qty_precision_; }
  const BookStats& stats() const { return stats_; }
  core::Timestamp last_update() const { return last_update_; }  // exchange time, else received

  std::span<const core::PriceLevel> bids() const { return bids_.levels(); }
  std::span<const core::PriceLevel> asks() const { return asks_.levels(); }
  std::span<const core::PriceLevel> top_bids(std::size_t n) const {
    return bids().first(std::min(n, bids_.size()));
  }
  std::span<const core::PriceLevel> top_asks(std::size_t n) const {
    return asks().first(std::min(n, asks_.size()));
  }
  BookView view() const { return BookView{bids(), asks()}; }

  std::optional<core::PriceLevel> best_bid() const;
  std::optional<core::PriceLevel> best_ask() const;
  std::optional<core::Decimal> mid() const;
  std::optional<core::Decimal> spread() const;
  std::optional<double> spread_bps() const;  // spread / mid * 10^4
  // Summed base quantity of the top `levels` of a side (all levels by default).
  core::Decimal bid_qty(std::size_t levels = SIZE_MAX) const;
  core::Decimal ask_qty(std::size_t levels = SIZE_MAX) const;
  // (bid qty - ask qty) / (bid qty + ask qty) over the top `levels`, in [-1, 1]; 0 when empty.
  double imbalance(std::size_t levels = 10) const;
  // Quantity and notional within `fraction` of the mid (0.005, 0.01, 0.02 for 0.5/1/2 %).
  DepthWithin depth_within(core::Decimal fraction) const;

  // Kraken's checksum of the current top 10 levels at the book's precisions.
  std::uint32_t checksum() const;
  std::size_t memory_bytes() const;

 private:
  void learn_precision(const core::BookDelta& delta);

  std::string symbol_;
  std::size_t depth_;
  BookSide bids_{BookSide::Order::kDescending};
  BookSide asks_{BookSide::Order::kAscending};
  bool valid_ = false;
  bool precision_fixed_ = false;  // set_precision() was called: do not learn
  int price_precision_ = 0;
  int qty_precision_ = 0;
  BookStats stats_;
  core::Timestamp last_update_;
  mutable ChecksumCache checksum_cache_;
};

}  // namespace tg4::market
