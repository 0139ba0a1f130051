#include "agents/llm_advisor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <future>
#include <optional>
#include <utility>

#include "agents/model_regime.hpp"
#include "agents/model_sentiment.hpp"
#include "agents/model_technical.hpp"
#include "agents/regime_rule.hpp"
#include "agents/rule_advisor.hpp"
#include "agents/sentiment_blend.hpp"
#include "agents/technical_consensus.hpp"
#include "agents/technical_rule.hpp"
#include "llm/json_object.hpp"

namespace tg4::agents {
namespace {

// tg4_agents_degradation_level is the level's number, as its help text documents.
static_assert(static_cast<int>(DegradationLevel::kNormal) == 0 &&
              static_cast<int>(DegradationLevel::kEmergency) == 3);

std::string decision_json(const ModelDecision& d) {
  boost::json::object out;
  out["action"] = strategy::to_string(d.action);
  out["confidence"] = d.confidence;
  if (d.entry) out["entry"] = d.entry->to_string();
  if (d.stop) out["stop"] = d.stop->to_string();
  if (d.target) out["target"] = d.target->to_string();
  out["size_pct"] = d.size_pct;
  out["reasoning"] = d.reasoning;
  return boost::json::serialize(out);
}

strategy::Advice from_verdict(const Verdict& verdict, const LlmAdvisor::Question& question) {
  strategy::Advice advice = advice_from(verdict.decision, question.request,
                                        fmt::format("llm consensus {} of {}", verdict.agreeing, verdict.total));
  // The decision's reasoning already starts with `why` (docs/AGENTS.md, consensus step 7).
  if (advice.reasoning.empty()) advice.reasoning = verdict.why;
  advice.by_models = true;
  return advice;
}

// What the record of a valid answer says of it.
void describe(strategy::AdviceVote& record, const ModelDecision& decision) {
  record.parsed_json = decision_json(decision);
  record.action = strategy::to_string(decision.action);
  record.confidence = decision.confidence;
}

void describe(strategy::AdviceVote& record, const ModelRegime& regime) {
  record.parsed_json = model_regime_json(regime);
  record.action = to_string(regime.regime);
  record.confidence = regime.confidence;
}

void describe(strategy::AdviceVote& record, const ModelSentiment& sentiment) {
  record.parsed_json = model_sentiment_json(sentiment);
  record.action = to_string(sentiment.bias);
  record.confidence = sentiment.confidence;
}

void describe(strategy::AdviceVote& record, const ModelCoordination& coordination) {
  record.parsed_json = model_coordination_json(coordination);
  record.action = to_string(coordination.verdict);
}

void describe(strategy::AdviceVote& record, const ModelTechnical& technical) {
  record.parsed_json = model_technical_json(technical);
  record.action = to_string(technical.bias);
  record.confidence = technical.confidence;
}

// One model's answer: the record of the call (what it cost and returned, why it is unusable) and
// the answer parsed, or why there is none.
template <typename Answer>
struct ModelAnswer {
  strategy::AdviceVote record;
  core::Result<Answer> answer;
};

template <typename Answer, typename Parse>
ModelAnswer<Answer> ask_model(llm::ProviderClient& client, const Prompt& prompt,
                              const std::string& agent, Parse parse) {
  ModelAnswer<Answer> out{{}, core::Error::of("not asked")};
  strategy::AdviceVote& record = out.record;
  record.agent = agent;
  record.provider = client.provider().name;
  record.model = client.provider().model;
  record.prompt_hash = prompt.hash;
  llm::ProviderClient::Usage paid;
  // Parsed as it comes, so that an answer that is not the one asked for counts as bad_answer.
  std::optional<core::Result<Answer>> parsed;
  const llm::AnswerCheck check = [&](const std::string& text) {
    auto object = llm::json_object_in(text);
    parsed.emplace(object ? parse(*object) : core::Result<Answer>(object.error()));
    return parsed->ok();
  };
  auto answer = client.complete(prompt.chat, &paid, check);
  if (!answer) {
    record.error = answer.error().message;
    record.tokens_in = paid.tokens_in;  // an unusable answer is paid for all the same
    record.tokens_out = paid.tokens_out;
    record.cost_usd = paid.cost_usd;
    out.answer = answer.error();
    return out;
  }
  record.raw_response = answer->raw_body;
  record.latency_us = answer->latency.count();
  record.tokens_in = answer->tokens_in;
  record.tokens_out = answer->tokens_out;
  record.cost_usd = answer->cost_usd;
  if (!parsed) check(answer->text);  // a truncated answer is not checked by the client
  out.answer = std::move(*parsed);
  if (out.answer) {
    describe(record, *out.answer);
  } else {
    record.error =
        fmt::format("{} ({}): {}", record.provider, record.model, out.answer.error().message);
  }
  return out;
}

// Every chosen model at once: each call has its own timeout, so the slowest decides how long this
// takes.
template <typename Answer, typename Parse>
std::vector<ModelAnswer<Answer>> ask_all(const std::vector<llm::ProviderClient*>& chosen,
                                         const Prompt& prompt, const std::string& agent,
                                         Parse parse) {
  std::vector<std::future<ModelAnswer<Answer>>> calls;
  for (llm::ProviderClient* client : chosen) {
    calls.push_back(std::async(std::launch::async, [client, &prompt, &agent, parse] {
      return ask_model<Answer>(*client, prompt, agent, parse);
    }));
  }
  std::vector<ModelAnswer<Answer>> answers;
  for (auto& call : calls) answers.push_back(call.get());
  return answers;
}

// A cycle that throws (no thread for a call, memory) must not take the process down: the rules
// answer, and why is said.
template <typename Answer, typename Cycle>
Answer or_rules(spdlog::logger& log, const char* agent, const std::string& symbol, Answer rules,
                Cycle cycle) {
  try {
    return cycle();
  } catch (const std::exception& e) {
    log.error("LLM {} cycle for {} failed: {}; the rules answer", agent, symbol, e.what());
    rules.source = fmt::format("rules (the LLM {} cycle failed: {})", agent, e.what());
    return rules;
  }
}

}  // namespace

LlmAdvisor::LlmAdvisor(const core::LlmSection& llm, const core::AgentsSection& agents,
                       llm::LlmMetrics* metrics, net::ClientTlsOptions tls,
                       const core::Clock* wall_clock)
    : metrics_(metrics),
      wall_(wall_clock != nullptr ? *wall_clock : system_clock_),
      rules_(consensus_rules(agents)),
      budget_(llm),
      degradation_(agents),
      sentiment_breaker_(
          agents.sentiment_breaker_failures,
          std::chrono::duration_cast<core::Duration>(agents.sentiment_breaker_cooldown)),
      sentiment_max_providers_(agents.sentiment_max_providers),
      sentiment_weight_(agents.sentiment_provider_weight.to_double()) {
  if (metrics_ != nullptr) {
    metrics_->set_budget(budget_.daily().to_double(), budget_.warn().to_double());
    metrics_->set_degradation_level(static_cast<int>(degradation_.level()));
  }
  llm::ClientSettings settings = llm::client_settings(llm);
  settings.tls = std::move(tls);
  for (const core::LlmProvider& provider : llm.providers) {
    clients_.push_back(std::make_unique<llm::ProviderClient>(provider, settings, metrics));
  }
  worker_ = std::thread([this] { work(); });
}

LlmAdvisor::~LlmAdvisor() {
  stop();
  worker_.join();
}

// No retry and no wait for a rate-limit slot from now on; a request already sent still runs to its
// answer or its timeout, which is said, since the exit then waits that long.
void LlmAdvisor::stop() {
  bool busy = false;
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    busy = busy_;
  }
  wake_.notify_all();
  for (const auto& client : clients_) client->stop();
  if (busy) log_->info("stopping: waiting for the LLM requests in flight (at most llm.timeout)");
}

void LlmAdvisor::already_spent(core::Decimal usd) {
  if (!usd.is_positive()) return;
  const core::Timestamp now = wall_.now();
  strategy::AdviceVote earlier;
  earlier.cost_usd = usd;
  charge({earlier}, now);
  log_->info("LLM spend today so far (earlier sessions): {} USD of {} USD", budget_.spent_today(now).to_string(4),
             budget_.daily().to_string(2));
  if (metrics_ != nullptr) metrics_->set_spent_today(budget_.spent_today(now).to_double());
}

LlmAdvisor::Question LlmAdvisor::question_for(const strategy::AdviceRequest& request,
                                              const market::SymbolMarket& market) {
  return {request, decision_prompt(request, market), rule_advice(request, market, "rules")};
}

LlmAdvisor::RegimeQuestion LlmAdvisor::regime_question_for(const RegimeRequest& request,
                                                           const market::SymbolMarket& market) {
  return {request, regime_prompt(request, market), regime_rule(request, market)};
}

LlmAdvisor::TechnicalQuestion LlmAdvisor::technical_question_for(
    const TechnicalRequest& request, const market::SymbolMarket& market) {
  return {request, technical_prompt(request, market), technical_rule(request, market)};
}

void LlmAdvisor::ask(const strategy::AdviceRequest& request, const market::SymbolMarket& market,
                     strategy::AdviceCallback answer) {
  enqueue([this, question = question_for(request, market), answer = std::move(answer)] {
    strategy::Advice advice = or_rules(*log_, "decision", question.request.symbol, question.rules,
                                       [&] { return decide_now(question); });
    return std::function<void()>(
        [answer, advice = std::move(advice)]() mutable { answer(std::move(advice)); });
  });
}

void LlmAdvisor::assess(const RegimeRequest& request, const market::SymbolMarket& market,
                        RegimeCallback answer) {
  enqueue([this, question = regime_question_for(request, market), answer = std::move(answer)] {
    RegimeReading reading = or_rules(*log_, "regime", question.request.symbol, question.rules,
                                     [&] { return assess_now(question); });
    return std::function<void()>(
        [answer, reading = std::move(reading)]() mutable { answer(std::move(reading)); });
  });
}

void LlmAdvisor::analyse(const TechnicalRequest& request, const market::SymbolMarket& market,
                         TechnicalCallback answer) {
  enqueue([this, question = technical_question_for(request, market), answer = std::move(answer)] {
    TechnicalReading reading = or_rules(*log_, "technical", question.request.symbol, question.rules,
                                        [&] { return analyse_now(question); });
    return std::function<void()>(
        [answer, reading = std::move(reading)]() mutable { answer(std::move(reading)); });
  });
}

LlmAdvisor::CoordinationQuestion LlmAdvisor::coordination_question_for(
    const CoordinationRequest& request) {
  return {request, coordinator_prompt(request), coordinator_rule(request)};
}

void LlmAdvisor::coordinate(const CoordinationRequest& request, CoordinationCallback answer) {
  enqueue([this, question = coordination_question_for(request), answer = std::move(answer)] {
    Coordination verdict = or_rules(*log_, "coordinator", question.request.symbol, question.rules,
                                    [&] { return coordinate_now(question); });
    return std::function<void()>(
        [answer, verdict = std::move(verdict)]() mutable { answer(std::move(verdict)); });
  });
}

bool LlmAdvisor::reads_news(const core::LlmSection& llm, const core::AgentsSection& agents) {
  return agents.sentiment_max_providers > 0 &&
         std::any_of(llm.providers.begin(), llm.providers.end(),
                     [](const core::LlmProvider& p) { return p.search; });
}

LlmAdvisor::SentimentQuestion LlmAdvisor::sentiment_question_for(
    const SentimentRequest& request, const market::SymbolMarket* market) {
  return {request, sentiment_prompt(request, market)};
}

void LlmAdvisor::sense(const SentimentRequest& request, const market::SymbolMarket* market,
                       SentimentCallback answer) {
  enqueue([this, question = sentiment_question_for(request, market), answer = std::move(answer)] {
    SentimentReading none;  // what a cycle that throws leaves: no reading, and why
    none.symbol = question.request.symbol;
    none.time = question.request.time;
    SentimentReading reading = or_rules(*log_, "sentiment", question.request.symbol, none,
                                        [&] { return sense_now(question); });
    return std::function<void()>(
        [answer, reading = std::move(reading)]() mutable { answer(std::move(reading)); });
  });
}

void LlmAdvisor::enqueue(Job job) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void LlmAdvisor::work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
    }
    std::function<void()> hand_over = job();
    // Handed over under the lock: once the destructor has set stopping_, nothing reaches a kernel
    // that may be gone.
    const std::lock_guard lock(mutex_);
    busy_ = false;
    if (stopping_) return;
    hand_over();
  }
}

std::vector<llm::ProviderClient*> LlmAdvisor::eligible(const Prompt& prompt, core::Timestamp now,
                                                       const std::string& agent,
                                                       std::vector<strategy::AdviceVote>& skipped,
                                                       bool search_only, std::size_t limit) {
  std::vector<llm::ProviderClient*> chosen;
  core::Decimal worst_case;
  for (const auto& client : clients_) {
    const core::LlmProvider& provider = client->provider();
    if (search_only && !provider.search)
      continue;  // not a sentiment source: not asked, not skipped
    if (chosen.size() == limit) break;
    const core::Decimal cost = client->worst_case_cost(prompt.chat);
    std::string why;
    if (!budget_.allows(provider, now)) {
      why = fmt::format(
          "not asked: the day's LLM spend {} USD reached the budget of {} USD (local models only)",
          budget_.spent_today(now).to_string(2), budget_.daily().to_string(2));
    } else if (agent != "decision" && agent != "coordinator" && !provider.local &&
               budget_.spent_today(now) >= budget_.warn()) {
      // The readings (regime, technical, sentiment) run many times a decision's rate: past the
      // warning level the rest of the day's budget is kept for the decisions that trade (and the
      // coordinator's judgement of them).
      why = fmt::format(
          "not asked: the day's LLM spend {} USD reached the warning level of {} USD; the rest is "
          "kept for "
          "trading decisions (local models only)",
          budget_.spent_today(now).to_string(2), budget_.warn().to_string(2));
    } else if (worst_case + cost > budget_.per_decision()) {
      why = fmt::format("not asked: its worst case would take the decision over {} USD",
                        budget_.per_decision().to_string(2));
    }
    if (why.empty()) {
      worst_case += cost;
      chosen.push_back(client.get());
      continue;
    }
    strategy::AdviceVote vote;
    vote.agent = agent;
    vote.provider = provider.name;
    vote.model = provider.model;
    vote.prompt_hash = prompt.hash;
    vote.error = std::move(why);
    skipped.push_back(std::move(vote));
  }
  return chosen;
}

strategy::Advice LlmAdvisor::decide_now(const Question& question) {
  // The budget's day is the real one, not the market's: a demo or replay on a simulated clock
  // spends real money too (SPEC §6, docs/AGENTS.md).
  const core::Timestamp now = wall_.now();
  std::vector<strategy::AdviceVote> records;
  const std::vector<llm::ProviderClient*> chosen =
      eligible(question.prompt, now, "decision", records);
  if (chosen.empty()) {
    strategy::Advice advice = question.rules;
    advice.source = clients_.empty() ? "rules (no LLM provider configured)"
                                     : "rules (no model may be asked now)";
    advice.votes = std::move(records);
    report(llm::CycleOutcome::kRules, now);
    return advice;
  }
  std::vector<ModelVote> votes;
  for (auto& answer :
       ask_all<ModelDecision>(chosen, question.prompt, "decision", parse_model_decision)) {
    votes.push_back({answer.record.provider, answer.record.model, std::move(answer.answer)});
    records.push_back(std::move(answer.record));
  }
  charge(records, now);
  const Verdict verdict = decide(votes, rules_);
  const bool failed = verdict.valid < rules_.min_valid_answers;
  count_cycle(failed);
  report(failed ? llm::CycleOutcome::kNoConsensus : llm::CycleOutcome::kConsensus, now);
  strategy::Advice advice = degrade(from_verdict(verdict, question), question);
  advice.votes = std::move(records);
  return advice;
}

template <typename Reading, typename Answer, typename Vote, typename Q, typename Parse,
          typename Consensus>
Reading LlmAdvisor::read_now(const Q& question, const char* agent, Parse parse, Consensus consensus,
                             void (llm::LlmMetrics::*on_cycle)(llm::CycleOutcome)) {
  const core::Timestamp now = wall_.now();  // the budget's day (see decide_now)
  std::vector<strategy::AdviceVote> records;
  const std::vector<llm::ProviderClient*> chosen = eligible(question.prompt, now, agent, records);
  if (chosen.empty()) {
    Reading reading = question.rules;
    reading.source = clients_.empty() ? "rules (no LLM provider configured)"
                                      : "rules (no model may be asked now)";
    reading.votes = std::move(records);
    report_state(now);
    if (metrics_ != nullptr) (metrics_->*on_cycle)(llm::CycleOutcome::kRules);
    return reading;
  }
  std::vector<Vote> votes;
  for (auto& answer : ask_all<Answer>(chosen, question.prompt, agent, parse)) {
    votes.push_back({answer.record.provider, answer.record.model, std::move(answer.answer)});
    records.push_back(std::move(answer.record));
  }
  charge(records, now);
  auto verdict = consensus(votes, question.request, rules_);
  const Majority& majority = verdict.majority;
  count_cycle(majority.valid < majority.needed);
  report_state(now);
  if (metrics_ != nullptr) {
    (metrics_->*on_cycle)(majority.valid < majority.needed ? llm::CycleOutcome::kNoConsensus
                                                           : llm::CycleOutcome::kConsensus);
  }
  Reading reading = question.rules;
  if (degradation_.level() == DegradationLevel::kEmergency) {
    reading.source = "rules (LLM path in EMERGENCY)";
    reading.reasoning += "; the models: " + majority.why;
  } else if (!majority.found) {
    reading.source =
        majority.valid < majority.needed
            ? fmt::format("rules (llm: {} of {} valid)", majority.valid, majority.total)
            : fmt::format("rules (llm: no majority of {} valid)", majority.valid);
    reading.reasoning += "; the models: " + majority.why;
  } else {
    reading = std::move(verdict.reading);
  }
  reading.votes = std::move(records);
  return reading;
}

RegimeReading LlmAdvisor::assess_now(const RegimeQuestion& question) {
  return read_now<RegimeReading, ModelRegime, RegimeVote>(
      question, "regime", parse_model_regime, regime_consensus, &llm::LlmMetrics::on_regime_cycle);
}

TechnicalReading LlmAdvisor::analyse_now(const TechnicalQuestion& question) {
  return read_now<TechnicalReading, ModelTechnical, TechnicalVote>(
      question, "technical", parse_model_technical, technical_consensus,
      &llm::LlmMetrics::on_technical_cycle);
}

Coordination LlmAdvisor::coordinate_now(const CoordinationQuestion& question) {
  return read_now<Coordination, ModelCoordination, CoordinationVote>(
      question, "coordinator", parse_model_coordination, coordination_consensus,
      &llm::LlmMetrics::on_coordinator_cycle);
}

SentimentReading LlmAdvisor::sense_now(const SentimentQuestion& question) {
  const core::Timestamp now = question.request.time;
  const core::Timestamp today = wall_.now();  // the budget's day (see decide_now)
  SentimentReading none;
  none.symbol = question.request.symbol;
  none.time = now;
  if (!sentiment_breaker_.allows(now)) {
    none.source = "no model asked: the sentiment breaker is open until " +
                  core::format_rfc3339(*sentiment_breaker_.open_until(), 0);
    none.reasoning = none.source;
    if (metrics_ != nullptr) metrics_->on_sentiment_cycle(llm::CycleOutcome::kRules);
    return none;
  }
  std::vector<strategy::AdviceVote> records;
  const std::vector<llm::ProviderClient*> chosen =
      eligible(question.prompt, today, "sentiment", records, true,
               static_cast<std::size_t>(sentiment_max_providers_));
  if (chosen.empty()) {
    const bool any = std::any_of(clients_.begin(), clients_.end(),
                                 [](const auto& c) { return c->provider().search; });
    none.source =
        any ? "no search-capable model may be asked now" : "no search-capable provider configured";
    none.reasoning = none.source;
    none.votes = std::move(records);
    report_state(today);
    if (metrics_ != nullptr) metrics_->on_sentiment_cycle(llm::CycleOutcome::kRules);
    return none;
  }
  std::vector<SentimentVote> votes;
  for (auto& answer :
       ask_all<ModelSentiment>(chosen, question.prompt, "sentiment", parse_model_sentiment)) {
    votes.push_back({answer.record.provider, answer.record.model, std::move(answer.answer)});
    records.push_back(std::move(answer.record));
  }
  charge(records, today);
  SentimentBlend blend = blend_sentiment(votes, question.request, sentiment_weight_);
  if (blend.valid > 0) {
    sentiment_breaker_.on_success();
  } else if (sentiment_breaker_.on_failure(now)) {
    log_->warn(
        "sentiment breaker open after {} cycles without a valid answer: no model is asked until {}",
        sentiment_breaker_.consecutive_failures(),
        core::format_rfc3339(*sentiment_breaker_.open_until(), 0));
  }
  report_state(today);
  if (metrics_ != nullptr) {
    metrics_->on_sentiment_cycle(blend.valid > 0 ? llm::CycleOutcome::kConsensus
                                                 : llm::CycleOutcome::kNoConsensus);
  }
  blend.reading.votes = std::move(records);
  return blend.reading;
}

// Said as "the LLM decision path" (operators and tests read these lines) though regime cycles
// count too: it is the one path both agents take to the models.
void LlmAdvisor::count_cycle(bool failed) {
  const DegradationLevel before = degradation_.level();
  if (failed && degradation_.on_failure()) {
    log_->warn("LLM decision path {} -> {} after {} consecutive failed cycles", to_string(before),
               to_string(degradation_.level()), degradation_.consecutive_failures());
  } else if (!failed && degradation_.on_success()) {
    // A step back resets the counts: said without one (it was not "after 0 failed cycles").
    log_->info("LLM decision path {} -> {}: the models reached a valid consensus again",
               to_string(before), to_string(degradation_.level()));
  }
}

void LlmAdvisor::report(llm::CycleOutcome outcome, core::Timestamp now) {
  if (metrics_ != nullptr) metrics_->on_cycle(outcome);
  report_state(now);
}

void LlmAdvisor::report_state(core::Timestamp now) {
  if (metrics_ == nullptr) return;
  metrics_->set_spent_today(budget_.spent_today(now).to_double());
  metrics_->set_degradation_level(static_cast<int>(degradation_.level()));
}

// What the answers cost goes to the day's budget; crossing the warning level and the budget itself is
// said once each.
void LlmAdvisor::charge(const std::vector<strategy::AdviceVote>& records, core::Timestamp now) {
  const bool within = budget_.tier(now) == llm::BudgetTier::kAll;
  for (const strategy::AdviceVote& record : records) {
    if (record.cost_usd.is_positive() && budget_.spend(record.cost_usd, now)) {
      log_->warn("LLM spend today is {} USD: the warning level ({} USD) of the daily budget ({} USD) is reached",
                 budget_.spent_today(now).to_string(4), budget_.warn().to_string(2), budget_.daily().to_string(2));
    }
  }
  if (within && budget_.tier(now) != llm::BudgetTier::kAll) {
    log_->warn("LLM spend today is {} USD: the daily budget of {} USD is spent; until 00:00 UTC only local models "
               "are asked, and the rules decide when there are none",
               budget_.spent_today(now).to_string(4), budget_.daily().to_string(2));
  }
}

strategy::Advice LlmAdvisor::degrade(strategy::Advice advice, const Question& question) const {
  switch (degradation_.level()) {
    case DegradationLevel::kNormal:
      return advice;
    case DegradationLevel::kReduced:
      advice.size_pct /= 2;
      advice.size_factor = 0.5;
      advice.source += " (REDUCED: size halved)";
      return advice;
    case DegradationLevel::kLimited:
      if (opens_position(advice.action, question.request.position_qty)) {
        advice.reasoning = fmt::format("{} advised, but LIMITED allows no new position; {}",
                                       strategy::to_string(advice.action), advice.reasoning);
        advice.action = strategy::AdviceAction::kHold;
      }
      advice.may_open = false;
      advice.source += " (LIMITED)";
      return advice;
    case DegradationLevel::kEmergency: {
      strategy::Advice rules = question.rules;
      rules.source = "rules (LLM decision path in EMERGENCY)";
      rules.reasoning += "; the models' verdict was " + advice.reasoning;
      return rules;
    }
  }
  return advice;
}

}  // namespace tg4::agents
