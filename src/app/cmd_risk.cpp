// `tg4 risk check --state JSON --intent JSON` (SPEC §12): one risk verdict as JSON on stdout. The
// given state first goes through the circuit breakers (as every state change does in the engine),
// then the intent through rules 1-9. Limits come from the configuration's risk section.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "app/node_config.hpp"
#include "core/clock.hpp"
#include "core/text_file.hpp"
#include "execution/paper_venue.hpp"
#include "risk/engine.hpp"
#include "risk/limits_config.hpp"
#include "risk/state_json.hpp"

namespace tg4::app {
namespace {

struct CheckArgs {
  std::string state = "{}";
  std::string intent;
};

// "@path" reads a file ("@-" reads stdin); anything else is the JSON itself.
core::Result<std::string> argument_text(const std::string& arg, const char* option) {
  if (arg.empty() || arg[0] != '@') return arg;
  const std::string path = arg.substr(1);
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  auto text = core::read_text_file(path);
  if (!text)
    return core::Error::of(fmt::format("{}: cannot read file {}", option, text.error().message));
  return text;
}

core::Result<boost::json::value> argument_json(const std::string& arg, const char* option) {
  auto text = argument_text(arg, option);
  if (!text) return text.error();
  return risk::parse_json_text(*text, option);
}

// Breakers the given state trips are part of the answer: the verdict names the halt, the warnings
// name the breaker and the action the engine would order.
void add_breaker_warnings(const std::vector<risk::RiskEvent>& events, risk::Verdict& verdict) {
  for (const auto& e : events) {
    if (e.kind != risk::RiskEvent::Kind::kBreaker || !e.breaker_tripped) continue;
    std::string warning =
        fmt::format("breaker {} tripped: {}", risk::to_string(*e.breaker), e.reason);
    if (e.action != risk::BreakerAction::kNone) {
      warning += fmt::format(" [action: {}]", risk::to_string(e.action));
    }
    verdict.warnings.push_back(std::move(warning));
  }
}

int run_check(const GlobalOptions& globals, const CheckArgs& args) {
  const auto config = load_config(globals, std::cerr);
  if (!config) return kExitUsage;
  auto state_json = argument_json(args.state, "--state");
  if (!state_json) return usage_error("risk check", state_json.error().message);
  auto intent_json = argument_json(args.intent, "--intent");
  if (!intent_json) return usage_error("risk check", intent_json.error().message);
  // The state's "now" decides; the wall clock only when the state does not say.
  auto input = risk::parse_state(*state_json, core::LiveClock().now());
  if (!input) return usage_error("risk check", "--state: " + input.error().message);
  auto intent = risk::parse_intent(*intent_json);
  if (!intent) return usage_error("risk check", "--intent: " + intent.error().message);
  // Without fee_pct, rule 9 counts what the paper venue charges a market order of the symbol, as a
  // paper node does.
  if (!intent_json->as_object().contains("fee_pct")) {
    intent->fee_pct = execution::order_cost_pct(paper_config_from_config(config->paper),
                                                core::default_instrument(intent->symbol), true);
  }

  // The short form's volatility_spike: the intent's symbol is in a spike (rule 5 halves its size).
  if (input->volatility_spike && !input->state.in_volatility_spike(intent->symbol)) {
    auto& spikes = input->state.volatility_spikes;
    spikes.insert(std::lower_bound(spikes.begin(), spikes.end(), intent->symbol), intent->symbol);
  }
  const risk::Engine engine(risk::limits_from_config(config->risk));
  const auto events = engine.apply_breakers(input->state, input->now);
  risk::Verdict verdict = engine.check(input->state, *intent, input->now);
  add_breaker_warnings(events, verdict);
  return write_stdout("risk check", "the verdict", risk::verdict_to_json(verdict) + "\n")
             ? kExitOk
             : kExitFailure;
}

}  // namespace

void add_risk_command(CLI::App& root, CommandContext& ctx) {
  CLI::App* risk = root.add_subcommand("risk", "Risk engine tools");
  risk->require_subcommand(1);
  risk->fallthrough();

  auto args = std::make_shared<CheckArgs>();
  CLI::App* check = add_command(
      *risk, ctx, "check",
      "One risk verdict as JSON on stdout: {status, rule, reason, size_usd, leverage, warnings}. "
      "Exit 0 for any verdict, 2 for malformed input (the message names the field).",
      [&ctx, args] { return run_check(ctx.globals, *args); });
  check->fallthrough();
  check
      ->add_option("--state", args->state,
                   "Risk state: inline JSON, or @FILE (@- = stdin). Fields (all optional): "
                   "equity (default 10000), peak_equity, daily_pnl_pct, weekly_pnl_pct (percent, "
                   "-5 = -5 %), consecutive_losses, trading_state (ACTIVE|REDUCING|HALTED), "
                   "volatility_spike (the intent's symbol is in a spike), volatility_spikes "
                   "[symbols], available_margin (default: equity), open_positions "
                   "[{symbol, side, exposure_usd (notional), leverage}], cooldowns [{reason "
                   "(loss|trade|volatility), until}], now (RFC 3339 or Unix seconds; default: "
                   "the wall clock). The persisted full form is accepted too.")
      ->default_str("{}");
  check
      ->add_option(
          "--intent", args->intent,
          "Order intent: inline JSON, or @FILE (@- = stdin). Fields: symbol, side "
          "(buy|sell), size_usd, entry, stop_loss, take_profit, leverage, confidence "
          "(0..1; required unless reduces_exposure or is_cancel), fee_pct (the taker fee and "
          "slippage rule 9 adds to the size, % of the "
          "notional; default: paper.taker_fee_pct + paper.slippage_bps / 100), "
          "regime (bull|bear|trending|breakout|ranging|volatile|choppy|unknown, or the regime "
          "agent's trending_bull|trending_bear|volatile_bull|volatile_bear|breakout_potential), "
          "strictness (relaxed|normal|strict|very_strict), reduces_exposure, is_cancel. "
          "Numbers may be JSON numbers or decimal strings (exact).")
      ->required();
}

}  // namespace tg4::app
