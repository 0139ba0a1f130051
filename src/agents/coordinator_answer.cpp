#include "agents/coordinator_answer.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "agents/answer_fields.hpp"

namespace tg4::agents {
namespace {

namespace json = boost::json;

constexpr std::string_view kCoordinatorSystem =
    "You are the coordinator of a crypto trading system's agents. A trading decision would open or "
    "add to a position, but some of the other agents' current views of the symbol (technical "
    "analysis, news sentiment, market regime) point the other way. Judge whether to act on it:\n"
    "- proceed: act on it as proposed;\n"
    "- wait: do not act now; the decision is asked again at its next cycle;\n"
    "- abort: do not act on it;\n"
    "- modify: act on it with a smaller size, size_factor (more than 0, at most 1) times the "
    "proposed size.\n"
    "A risk engine still checks whatever is done. When unsure, prefer wait or a smaller size.\n"
    "Answer with one JSON object only, no other text, with exactly these fields:\n"
    "{\"verdict\": \"proceed\" | \"wait\" | \"abort\" | \"modify\", \"size_factor\": number in "
    "(0, 1] (required for modify, else null), \"reasoning\": string (one or two sentences)}";

std::string price_text(const std::optional<core::Decimal>& price) {
  return price ? price->to_string() : "none";
}

constexpr std::size_t kVerdictCount = 4;  // kProceed, kWait, kAbort, kModify

// A vote's verdict, when it is a valid answer.
std::optional<CoordinatorVerdict> counted_verdict(const CoordinationVote& vote) {
  if (!vote.coordination) return std::nullopt;
  return vote.coordination->verdict;
}

}  // namespace

CoordinatorPrompt coordinator_prompt(const CoordinationRequest& request) {
  const strategy::Advice& a = request.advice;
  std::string user = fmt::format("Symbol: {}\nTime: {}\nPosition: {}\n", request.symbol,
                                 core::format_rfc3339(request.time, 0),
                                 prompt_text::position_text(request.position_qty));
  user += fmt::format(
      "\nProposed decision ({}): {} at confidence {}, entry {}, stop {}, target {}, size {} % of "
      "equity (size factor {})\n",
      a.source, strategy::to_string(a.action), prompt_text::fixed(a.confidence, 2),
      price_text(a.entry), price_text(a.stop), price_text(a.target),
      prompt_text::fixed(a.size_pct, 1), prompt_text::fixed(a.size_factor, 2));
  if (!a.reasoning.empty()) {
    constexpr std::size_t kMaxReasoning = 600;
    user += "Its reasoning: " + a.reasoning.substr(0, kMaxReasoning) +
            (a.reasoning.size() > kMaxReasoning ? "..." : "") + "\n";
  }
  user += "\nOther agents' views:\n";
  for (const std::string& view : request.agent_views) user += "- " + view + "\n";
  user += fmt::format("\nAgainst the {}: {}\n", strategy::to_string(a.action),
                      request.conflict.why.empty() ? "nothing" : request.conflict.why);
  user += fmt::format("\nJudge the proposed {} on {} and answer with the JSON object only.\n",
                      strategy::to_string(a.action), request.symbol);
  return make_prompt(std::string(kCoordinatorSystem), std::move(user), 300);
}

core::Result<ModelCoordination> parse_model_coordination(const json::object& answer) {
  ModelCoordination c;
  auto verdict = answer_fields::name_in<CoordinatorVerdict>(
      answer_fields::present(answer, "verdict"), "verdict", parse_coordinator_verdict, std::nullopt,
      "proceed, wait, abort, modify");
  if (!verdict) return verdict.error();
  c.verdict = *verdict;
  if (c.verdict == CoordinatorVerdict::kModify) {
    const json::value* value = answer_fields::present(answer, "size_factor");
    if (value == nullptr) {
      return core::Error::of(
          "size_factor: missing (modify needs a number in (0, 1], the factor on the size)");
    }
    auto factor = answer_fields::number_in(value, "size_factor", 0, 1);
    if (!factor) return factor.error();
    if (*factor <= 0) return answer_fields::field_error("size_factor", *value, "is not above 0");
    c.size_factor = *factor;
  }
  auto reasoning = answer_fields::parse_reasoning(answer);
  if (!reasoning) return reasoning.error();
  c.reasoning = std::move(reasoning).value();
  return c;
}

std::string model_coordination_json(const ModelCoordination& c) {
  json::object out;
  out["verdict"] = to_string(c.verdict);
  out["size_factor"] = c.size_factor;
  out["reasoning"] = c.reasoning;
  return json::serialize(out);
}

CoordinationVerdict coordination_consensus(const std::vector<CoordinationVote>& votes,
                                           const CoordinationRequest& request,
                                           const ConsensusRules& rules) {
  CoordinationVerdict v{.reading = models_reading<Coordination>(request),
                        .majority = majority_of<CoordinatorVerdict>(
                            votes, kVerdictCount, counted_verdict, rules, "verdict")};
  const Majority& majority = v.majority;
  if (!majority.found) {
    v.reading.source = "llm: no consensus";
    v.reading.reasoning = majority.why;
    return v;
  }
  Coordination& r = v.reading;
  r.verdict = static_cast<CoordinatorVerdict>(majority.winner);
  r.reasoning = majority.why;
  r.size_factor = r.verdict == CoordinatorVerdict::kModify ? 0 : 1;
  for (const CoordinationVote& vote : votes) {
    if (!vote.coordination || vote.coordination->verdict != r.verdict) continue;
    if (r.verdict == CoordinatorVerdict::kModify)
      r.size_factor += vote.coordination->size_factor / majority.agreeing;
    append_reason(r.reasoning, vote.provider, vote.model, vote.coordination->reasoning);
  }
  r.source = fmt::format("llm {} of {}", majority.agreeing, majority.total);
  return v;
}

}  // namespace tg4::agents
