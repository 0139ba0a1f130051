#pragma once
// Instrument: a tradable Kraken spot pair with the precisions and minimums its orders must respect.
// Filled from Kraken's `instrument` channel or REST AssetPairs; the registry is owned by the kernel.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/decimal.hpp"

namespace tg4::core {

struct Instrument {
  std::string symbol;  // Kraken WS v2 form: "BTC/USD"
  std::string base;    // "BTC"
  std::string quote;   // "USD"
  int price_precision = 1;
  int qty_precision = 8;
  Decimal price_increment = Decimal::must("0.1");
  Decimal qty_increment = Decimal::must("0.00000001");
  Decimal qty_min = Decimal::must("0.0001");
  Decimal cost_min = Decimal::must("0.5");
  Decimal maker_fee = Decimal::must("0.0016");  // fraction, 0.16 %
  Decimal taker_fee = Decimal::must("0.0026");  // fraction, 0.26 %
  bool marginable = false;
  std::string status = "online";

  Decimal round_price(Decimal price, Rounding mode = Rounding::kHalfEven) const {
    return price.round_to_increment(price_increment, mode);
  }
  // Quantities round down: never buy or sell more than was decided.
  Decimal round_qty(Decimal qty) const { return qty.round_to_increment(qty_increment, Rounding::kDown); }
};

// Splits "BTC/USD" into base and quote; nullopt if there is no single '/'.
std::optional<std::pair<std::string, std::string>> split_symbol(std::string_view symbol);
// "BTC/USDT, XRP/USDT" -> {"BTC/USDT", "XRP/USDT"}: blanks trimmed, empty items dropped (a
// strategy's `symbols` parameter, tg4 backtest's `store:` list).
std::vector<std::string> split_symbol_list(std::string_view text);

// Default instrument for a symbol before Kraken's instrument data arrives (sane precisions).
Instrument default_instrument(std::string_view symbol);

class InstrumentRegistry {
 public:
  void upsert(Instrument instrument);
  const Instrument* find(std::string_view symbol) const;
  std::vector<std::string> symbols() const;
  std::size_t size() const { return by_symbol_.size(); }

 private:
  std::unordered_map<std::string, Instrument> by_symbol_;
};

}  // namespace tg4::core
