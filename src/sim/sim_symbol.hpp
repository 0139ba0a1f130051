#pragma once
// SimSymbol: everything the simulator needs to know about one pair: Kraken's precisions (from
// core::default_instrument), a realistic start price, volatility and typical sizes, and the REST names
// Kraken uses for it (BTC/USDT is "XBTUSDT", its assets "XXBT" and "USDT").
#include <cstdint>
#include <string>
#include <string_view>

#include "core/instrument.hpp"
#include "core/result.hpp"

namespace tg4::sim {

struct SimSymbol {
  core::Instrument instrument;
  double start_price = 1.0;
  double annual_volatility = 0.6;  // of log returns
  double typical_level_qty = 1.0;  // base units resting at a level near the top
  double typical_trade_qty = 0.1;  // base units of a typical taker order
  int level_gap_ticks = 1;         // mean gap between resting levels

  // REST naming (AssetPairs keys, wsname, asset ids).
  std::string rest_key;      // "XBTUSDT", "XXRPXXBT"
  std::string rest_altname;  // "XBTUSDT", "XRPXBT"
  std::string rest_wsname;   // "XBT/USDT" (Kraken's v1-style name; v2 uses instrument.symbol)
  std::string base_asset_id;   // "XXBT"
  std::string quote_asset_id;  // "USDT"

  std::uint64_t stream_id() const;  // stable per symbol, for seeding
};

// A simulated pair for a Kraken v2 symbol such as "BTC/USDT". An Error if it is not BASE/QUOTE.
core::Result<SimSymbol> make_sim_symbol(std::string_view symbol);

// Kraken's legacy REST asset code for a v2 asset: BTC -> XBT.
std::string kraken_asset_code(std::string_view asset);
// Kraken's REST asset id: XBT -> XXBT, USD -> ZUSD, USDT -> USDT.
std::string kraken_asset_id(std::string_view asset);
// Ledger precision of an asset as the instrument channel lists it (BTC 10, USD 4, ...).
int asset_precision(std::string_view asset);

}  // namespace tg4::sim
