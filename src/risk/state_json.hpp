#pragma once
// JSON forms of the risk engine's values (SPEC §12, Boost.JSON).
//
// One state reader serves both forms: the short SPEC §12 `risk check` state (equity, peak_equity,
// daily_pnl_pct, weekly_pnl_pct, consecutive_losses, trading_state, volatility_spike,
// volatility_spikes, available_margin, open_positions, cooldowns, now) and the full persistence
// form written by state_to_json (a superset: anchors, amounts, breakers, order times...). Unknown
// fields and wrong types are errors naming the field ("state.open_positions[1].exposure_usd:
// expected a number"). Missing fields take defaults, but for an entry's confidence (parse_intent).
// Decimals are read from JSON numbers or decimal strings and written as strings in the persistence
// form (exact); timestamps are RFC 3339 strings or Unix seconds.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "risk/types.hpp"

namespace tg4::risk {

struct CheckInput {
  RiskState state;
  Timestamp now;
  // The short form's `volatility_spike: true`: the symbol judged is in a spike (risk check adds the
  // intent's symbol to state.volatility_spikes). A persisted state names its symbols instead
  // (`volatility_spikes`); an older one's flag, symbol unknown, is left to each symbol's next bar.
  bool volatility_spike = false;
};

// `default_now` is used when the JSON has no "now". Anchors missing from a short-form state are set
// to the current UTC day / ISO week, with start equities consistent with the given PnL percentages.
core::Result<CheckInput> parse_state(const boost::json::value& json, Timestamp default_now);
// `confidence` is required unless the intent is a cancel or reduces exposure (rule 4 skips them).
core::Result<RiskIntent> parse_intent(const boost::json::value& json);
// Parses `text` first; JSON syntax errors name the offset.
core::Result<boost::json::value> parse_json_text(std::string_view text, std::string_view what);

// {"status","rule","reason","size_usd","leverage","warnings":[]} with exact decimal numbers.
std::string verdict_to_json(const Verdict& verdict);

// The full persistence form (risk_state.state_json); parse_state reads it back.
boost::json::object state_to_json(const RiskState& state);
std::string state_to_json_text(const RiskState& state);
core::Result<RiskState> state_from_json_text(std::string_view text);

// An event's details (risk_events.detail_json).
boost::json::object event_to_json(const RiskEvent& event);

}  // namespace tg4::risk
