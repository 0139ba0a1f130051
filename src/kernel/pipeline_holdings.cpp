// Orders for the account's holdings, shared by the hodl bags (pipeline_hodl.cpp) and portfolio
// rebalancing (pipeline_rebalance.cpp): a coin bought or sold at market on
// `COIN/<reporting currency>`, as role `holding` (no position, no protection, no stop to wait for).
#include <fmt/format.h>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {

using core::Decimal;

namespace {

// A market buy may cost more than the last price: this much of the cash is kept back, on top of the
// taker fee, so that what the buy costs stays within the cash it was given.
const Decimal kBuySlippageHeadroom = Decimal::must("0.005");

}  // namespace

std::optional<Pipeline::HoldingMarket> Pipeline::holding_market(const std::string& asset) const {
  HoldingMarket out;
  out.symbol = asset + "/" + options_.reporting_currency;
  out.instrument = instruments_.find(out.symbol);
  const market::SymbolMarket* market = market_.find(out.symbol);
  out.price = market ? market->last_price().value_or(Decimal{}) : Decimal{};
  if (out.instrument == nullptr || !out.price.is_positive()) return std::nullopt;
  return out;
}

Decimal Pipeline::HoldingMarket::buy_qty(Decimal cash) const {
  if (!cash.is_positive()) return {};
  const Decimal headroom = Decimal::one() + instrument->taker_fee + kBuySlippageHeadroom;
  return instrument->round_qty(cash / (price * headroom));
}

bool Pipeline::HoldingMarket::below_minimum(Decimal qty) const {
  return qty < instrument->qty_min || qty * price < instrument->cost_min;
}

core::Result<std::string> Pipeline::send_holding_order(const HoldingMarket& market,
                                                       std::string intent_id,
                                                       std::string_view source, core::Side side,
                                                       Decimal qty) {
  core::OrderIntent intent;
  intent.intent_id = std::move(intent_id);
  intent.source = std::string(source);
  intent.symbol = market.symbol;
  intent.side = side;
  intent.type = core::OrderType::kMarket;
  intent.entry = market.price;
  intent.created = now();
  // Not urgent: while rule 9's order rate is full they wait, as new entries do (exits and stops
  // never wait for it).
  if (auto full = risk_.order_rate_refusal(risk_state_, now())) return core::Error::of(*full);
  auto sent = orders_->submit_holding(intent, qty, now());
  if (!sent) return sent;
  reference_prices_[*sent] = market.price;  // the slippage metric's reference
  sent_at_[*sent] = now();
  return sent;
}

}  // namespace tg4::kernel
