#include "market/indicators/book_features.hpp"

namespace tg4::market {
namespace {

struct SideDepth {
  double base = 0, quote = 0;
  std::array<double, 3> within{};
};

// `inside(price, limit)` tells whether a level lies within a band whose far edge is `limit`.
template <typename Inside>
SideDepth side_depth(std::span<const core::PriceLevel> levels, const std::array<double, 3>& limits,
                     Inside inside) {
  SideDepth d;
  for (const core::PriceLevel& level : levels) {
    const double price = level.price.to_double();
    const double qty = level.qty.to_double();
    d.base += qty;
    d.quote += price * qty;
    for (std::size_t i = 0; i < limits.size(); ++i) {
      if (inside(price, limits[i])) d.within[i] += price * qty;
    }
  }
  return d;
}

}  // namespace

std::optional<BookFeatures> compute_book_features(std::span<const core::PriceLevel> bids,
                                                  std::span<const core::PriceLevel> asks) {
  if (bids.empty() || asks.empty()) return std::nullopt;
  BookFeatures f;
  f.best_bid = bids.front().price.to_double();
  f.best_ask = asks.front().price.to_double();
  if (f.best_ask < f.best_bid || f.best_bid <= 0) return std::nullopt;
  f.mid = (f.best_bid + f.best_ask) / 2.0;
  f.spread_bps = (f.best_ask - f.best_bid) / f.mid * 10'000.0;

  std::array<double, 3> bid_limits{}, ask_limits{};
  for (std::size_t i = 0; i < BookFeatures::kBandsPct.size(); ++i) {
    bid_limits[i] = f.mid * (1.0 - BookFeatures::kBandsPct[i] / 100.0);
    ask_limits[i] = f.mid * (1.0 + BookFeatures::kBandsPct[i] / 100.0);
  }
  const SideDepth bid = side_depth(bids, bid_limits, [](double p, double lim) { return p >= lim; });
  const SideDepth ask = side_depth(asks, ask_limits, [](double p, double lim) { return p <= lim; });
  f.bid_depth = bid.base;
  f.ask_depth = ask.base;
  f.bid_depth_quote = bid.quote;
  f.ask_depth_quote = ask.quote;
  f.bid_depth_within = bid.within;
  f.ask_depth_within = ask.within;
  const double total = bid.base + ask.base;
  f.imbalance = total > 0 ? (bid.base - ask.base) / total : 0.0;
  return f;
}

std::optional<BookFeatures> compute_book_features(const OrderBook& book) {
  if (!book.valid()) return std::nullopt;
  return compute_book_features(book.bids(), book.asks());
}

}  // namespace tg4::market
