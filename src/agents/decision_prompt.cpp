#include "agents/decision_prompt.hpp"

#include <fmt/format.h>

#include <string_view>

#include "core/time.hpp"

namespace tg4::agents {
namespace {

constexpr std::size_t kPromptBars = 10;

constexpr std::string_view kSystem =
    "You are a cautious crypto trading analyst for a spot/margin account. You are shown the market "
    "of one symbol (last price, the indicators of each timeframe, the latest closed bars, the "
    "order "
    "book) and the position held, and you decide one action:\n"
    "- BUY: open or add to a long position.\n"
    "- SELL: open or add to a short position (margin).\n"
    "- CLOSE: close the position held.\n"
    "- HOLD: do nothing. Prefer HOLD when the timeframes disagree, the data is thin or the edge is "
    "small.\n"
    "Every proposal passes a risk engine before any order; by default it rejects a stop nearer "
    "than "
    "0.5 % or farther than 5 % from the entry, and a target less than 1.5 times as far from the "
    "entry as the stop.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"action\": \"BUY\" | \"SELL\" | \"HOLD\" | \"CLOSE\", \"confidence\": number 0..1, "
    "\"entry\": price or null, \"stop\": price or null, \"target\": price or null, "
    "\"size_pct\": number 0..100 (percent of equity), \"reasoning\": string (one or two "
    "sentences)}\n"
    "For BUY the stop is below the entry and the target above it; for SELL the stop is above the "
    "entry and the target below it. HOLD and CLOSE need no prices (null).";

void write_book(std::string& out, const market::BookFeatures& b) {
  using namespace prompt_text;
  out += fmt::format(
      "\nOrder book: best bid {}, best ask {}, spread {} bps, imbalance {} (-1 all asks .. +1 all "
      "bids)\n",
      sig(b.best_bid), sig(b.best_ask), fixed(b.spread_bps, 2), signed_fixed(b.imbalance, 3));
  out +=
      fmt::format("  depth of the levels held: bids {}, asks {} (base); bids {}, asks {} (quote)\n",
                  sig(b.bid_depth, 6), sig(b.ask_depth, 6), sig(b.bid_depth_quote, 6),
                  sig(b.ask_depth_quote, 6));
  for (std::size_t i = 0; i < market::BookFeatures::kBandsPct.size(); ++i) {
    out += fmt::format("  within {} % of the mid: bids {}, asks {} (quote)\n",
                       market::BookFeatures::kBandsPct[i], sig(b.bid_depth_within[i], 6),
                       sig(b.ask_depth_within[i], 6));
  }
}

std::string user_text(const strategy::AdviceRequest& request, const market::SymbolMarket& market) {
  using namespace prompt_text;
  std::string out;
  write_symbol(out, request.symbol, request.time, market);
  out += fmt::format("Position: {}\n", position_text(request.position_qty));
  write_quality(out, market, request.time);
  out += '\n';
  for (const market::TimeframeState& tf : market.timeframes()) write_indicators(out, tf);
  if (!market.timeframes().empty()) write_bars(out, market.timeframes().front(), kPromptBars);
  if (market.book()) write_book(out, *market.book());
  if (!request.agent_views.empty()) {
    out += "\nOther agents' views (advice, to weigh with the above):\n";
    for (const std::string& view : request.agent_views) out += "  " + view + "\n";
  }
  out += "\nDecide one action for " + request.symbol + " and answer with the JSON object only.\n";
  return out;
}

}  // namespace

DecisionPrompt decision_prompt(const strategy::AdviceRequest& request,
                               const market::SymbolMarket& market) {
  return make_prompt(std::string(kSystem), user_text(request, market), 600);
}

}  // namespace tg4::agents
