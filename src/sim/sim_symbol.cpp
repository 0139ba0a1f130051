#include "sim/sim_symbol.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/random.hpp"

namespace tg4::sim {
namespace {

struct AssetInfo {
  double usd_price;
  double annual_volatility;
};

// Rough USD prices and volatilities: enough for plausible cross rates and sizes of any pair.
const std::map<std::string, AssetInfo, std::less<>>& asset_table() {
  static const std::map<std::string, AssetInfo, std::less<>> table = {
      {"BTC", {60000.0, 0.55}}, {"ETH", {3000.0, 0.65}},  {"XRP", {0.55, 0.80}}, {"SOL", {150.0, 0.90}},
      {"ADA", {0.45, 0.80}},    {"DOGE", {0.12, 0.95}},   {"DOT", {7.0, 0.80}},  {"LTC", {80.0, 0.70}},
      {"LINK", {15.0, 0.85}},   {"USDT", {1.0, 0.01}},    {"USDC", {1.0, 0.01}}, {"USD", {1.0, 0.0}},
      {"EUR", {1.08, 0.07}},    {"GBP", {1.27, 0.07}},
  };
  return table;
}

AssetInfo asset_info(std::string_view asset) {
  const auto& table = asset_table();
  const auto it = table.find(asset);
  return it == table.end() ? AssetInfo{10.0, 0.9} : it->second;
}

}  // namespace

std::string kraken_asset_code(std::string_view asset) {
  if (asset == "BTC") return "XBT";
  if (asset == "DOGE") return "XDG";
  return std::string(asset);
}

std::string kraken_asset_id(std::string_view asset) {
  const std::string code = kraken_asset_code(asset);
  // The assets Kraken listed before 2019 keep an X (crypto) or Z (fiat) prefix.
  if (code == "XBT" || code == "ETH" || code == "XRP" || code == "LTC" || code == "XDG" || code == "XLM" ||
      code == "ETC" || code == "XMR" || code == "ZEC" || code == "REP" || code == "MLN") {
    return "X" + code;
  }
  if (code == "USD" || code == "EUR" || code == "GBP" || code == "CAD" || code == "JPY") return "Z" + code;
  return code;
}

int asset_precision(std::string_view asset) {
  if (asset == "USD" || asset == "EUR" || asset == "GBP") return 4;
  if (asset == "BTC" || asset == "ETH" || asset == "SOL") return 10;
  return 8;
}

std::uint64_t SimSymbol::stream_id() const { return hash_text(instrument.symbol); }

core::Result<SimSymbol> make_sim_symbol(std::string_view symbol) {
  const auto parts = core::split_symbol(symbol);
  if (!parts) {
    return core::Error::of("symbol '" + std::string(symbol) + "' is not BASE/QUOTE (write e.g. BTC/USDT)");
  }
  SimSymbol s;
  s.instrument = core::default_instrument(symbol);
  const auto& [base, quote] = *parts;
  const AssetInfo b = asset_info(base);
  const AssetInfo q = asset_info(quote);
  // The user's pairs get the start prices the issue names; others a cross rate of the table.
  if (symbol == "BTC/USDT" || symbol == "BTC/USD") s.start_price = 60000.0;
  else if (symbol == "XRP/USDT" || symbol == "XRP/USD") s.start_price = 0.55;
  else if (symbol == "XRP/BTC") s.start_price = 0.0000091;
  else s.start_price = b.usd_price / q.usd_price;
  s.annual_volatility = std::max(0.2, std::sqrt(b.annual_volatility * b.annual_volatility +
                                                q.annual_volatility * q.annual_volatility) * 0.9);
  const double base_usd = b.usd_price;
  s.typical_level_qty = 4000.0 / base_usd;  // ~4k USD resting per level near the top
  s.typical_trade_qty = 600.0 / base_usd;   // ~600 USD per taker order
  const double tick = s.instrument.price_increment.to_double();
  // Roughly 1000 levels across +-2.5 % of price, never closer than one tick.
  s.level_gap_ticks = std::max(1, static_cast<int>(std::lround(0.025 * s.start_price / (1000.0 * tick))));

  const std::string base_code = kraken_asset_code(base);
  const std::string quote_code = kraken_asset_code(quote);
  s.base_asset_id = kraken_asset_id(base);
  s.quote_asset_id = kraken_asset_id(quote);
  s.rest_altname = base_code + quote_code;
  s.rest_wsname = base_code + "/" + quote_code;
  const bool legacy = s.base_asset_id.size() == 4 && s.quote_asset_id.size() == 4 &&
                      (s.base_asset_id[0] == 'X' || s.base_asset_id[0] == 'Z') &&
                      (s.quote_asset_id[0] == 'X' || s.quote_asset_id[0] == 'Z');
  s.rest_key = legacy ? s.base_asset_id + s.quote_asset_id : s.rest_altname;
  return s;
}

}  // namespace tg4::sim
