#pragma once
// Order-book features for strategies and agents (SPEC §5): depth on each side, imbalance, spread
// and depth near the mid. Computed from the book's levels (exact Decimals) into doubles once per
// update.
#include <array>
#include <optional>
#include <span>

#include "core/events.hpp"
#include "market/order_book.hpp"

namespace tg4::market {

struct BookFeatures {
  double best_bid = 0, best_ask = 0, mid = 0;
  double spread_bps = 0;                            // (ask - bid) / mid * 10^4
  double bid_depth = 0, ask_depth = 0;              // base quantity over the levels given
  double bid_depth_quote = 0, ask_depth_quote = 0;  // the same as quote notional
  double imbalance = 0;  // (bid - ask) / (bid + ask) of base depth, in [-1, 1]
  // Quote notional within 0.5 %, 1 % and 2 % of the mid (index 0, 1, 2), per side.
  static constexpr std::array<double, 3> kBandsPct{0.5, 1.0, 2.0};
  std::array<double, 3> bid_depth_within{}, ask_depth_within{};
};

// Bids best (highest) first, asks best (lowest) first, as an order book keeps them. nullopt when a
// side is empty or the book is crossed (no meaningful mid).
std::optional<BookFeatures> compute_book_features(std::span<const core::PriceLevel> bids,
                                                  std::span<const core::PriceLevel> asks);
// The features of a book's current levels; nullopt while the book is invalid (awaiting a snapshot
// after a checksum mismatch or a reconnect).
std::optional<BookFeatures> compute_book_features(const OrderBook& book);

}  // namespace tg4::market
