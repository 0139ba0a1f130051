#include "core/instrument.hpp"

#include <algorithm>

namespace tg4::core {

std::optional<std::pair<std::string, std::string>> split_symbol(std::string_view symbol) {
  const auto slash = symbol.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= symbol.size() ||
      symbol.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::make_pair(std::string(symbol.substr(0, slash)), std::string(symbol.substr(slash + 1)));
}

std::vector<std::string> split_symbol_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string item(text.substr(0, comma));
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Instrument default_instrument(std::string_view symbol) {
  Instrument i;
  i.symbol = std::string(symbol);
  if (auto parts = split_symbol(symbol)) {
    i.base = parts->first;
    i.quote = parts->second;
  }
  // Kraken's precisions for the pairs the user trades; anything else gets conservative defaults
  // until the instrument channel or AssetPairs says otherwise.
  if (i.base == "XRP" && (i.quote == "USDT" || i.quote == "USD")) {
    i.price_precision = 5;
    i.price_increment = Decimal::must("0.00001");
    i.qty_min = Decimal::must("1");
  } else if (i.base == "XRP" && i.quote == "BTC") {
    i.price_precision = 8;
    i.price_increment = Decimal::must("0.00000001");
    i.qty_min = Decimal::must("1");
    i.cost_min = Decimal::must("0.00002");
  } else if (i.base == "BTC") {
    i.price_precision = 1;
    i.price_increment = Decimal::must("0.1");
    i.qty_min = Decimal::must("0.00005");
  } else {
    i.price_precision = 5;
    i.price_increment = Decimal::must("0.00001");
  }
  return i;
}

void InstrumentRegistry::upsert(Instrument instrument) {
  by_symbol_[instrument.symbol] = std::move(instrument);
}

const Instrument* InstrumentRegistry::find(std::string_view symbol) const {
  const auto it = by_symbol_.find(std::string(symbol));
  return it == by_symbol_.end() ? nullptr : &it->second;
}

std::vector<std::string> InstrumentRegistry::symbols() const {
  std::vector<std::string> out;
  out.reserve(by_symbol_.size());
  for (const auto& [symbol, _] : by_symbol_) out.push_back(symbol);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tg4::core
