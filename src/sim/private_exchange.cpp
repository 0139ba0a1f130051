#include "sim/private_exchange.hpp"

#include <algorithm>

#include "kraken/signing.hpp"
#include "sim/private_session.hpp"

namespace tg4::sim {

PrivateExchange::PrivateExchange(Exchange& exchange, prometheus::Registry& registry)
    : exchange_(exchange),
      account_(exchange.options.balances),
      engine_(exchange, account_, exchange.options.seed),
      metrics_(registry),
      token_rng_(derive_seed(exchange.options.seed, 0x70CE2)) {
  arm(exchange.options.faults);
}

std::string PrivateExchange::issue_token() {
  // 32 random bytes in base64 without padding: the shape of Kraken's tokens.
  std::string bytes;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t r = token_rng_.next();
    bytes.append(reinterpret_cast<const char*>(&r), sizeof(r));
  }
  std::string token = kraken::base64_encode(bytes);
  while (!token.empty() && token.back() == '=') token.pop_back();
  tokens_[token] = Token{exchange_.now(), false};
  return token;
}

std::string PrivateExchange::check_token(const std::optional<std::string>& token) {
  if (!token || token->empty()) return "Token(s) not found";
  const auto it = tokens_.find(*token);
  if (it == tokens_.end()) return "ESession:Invalid session";
  Token& t = it->second;
  // Kraken: a token must be used within 15 minutes of creation and does not expire once used.
  if (!t.used && exchange_.now() - t.issued > exchange_.options.token_lifetime)
    return "ESession:Invalid session";
  t.used = true;
  return {};
}

std::optional<core::Timestamp> PrivateExchange::set_dead_man(std::chrono::seconds timeout) {
  if (timeout.count() == 0) {
    dead_man_.reset();
    return std::nullopt;
  }
  dead_man_ = DeadMan{exchange_.now() + timeout, std::chrono::steady_clock::now() + timeout};
  return dead_man_->shown;
}

void PrivateExchange::attach(const std::shared_ptr<PrivateSession>& session) {
  std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  sessions_.push_back(session);
}

void PrivateExchange::publish(const EngineEvents& events) {
  if (events.empty()) return;
  for (const auto& e : events.executions) {
    if (e.type == ExecType::kTrade) metrics_.fill(e.fill->maker);
  }
  metrics_.open_orders(engine_.open_orders().size());
  for (const auto& weak : sessions_) {
    if (const auto s = weak.lock()) s->deliver(events);
  }
}

void PrivateExchange::on_step(const SymbolState& state, const MarketStep& step) {
  EngineEvents events;
  engine_.on_market(state, step, events);
  publish(events);
}

void PrivateExchange::on_time(core::Timestamp now) {
  EngineEvents events;
  engine_.on_time(now, events);
  if (dead_man_ && std::chrono::steady_clock::now() >= dead_man_->due) {
    // The switch fires once, then stays off until the next cancel_all_orders_after.
    dead_man_.reset();
    const std::size_t n = engine_.cancel_all("Dead man's switch", events);
    exchange_.logger->info("sim: cancel_all_orders_after expired, {} orders canceled", n);
  }
  publish(events);
}

void PrivateExchange::arm(const FaultSpec& spec) {
  faults_.drop_before_ack += spec.drop_before_ack;
  faults_.rate_limit += spec.order_rate_limit;
  faults_.reject_cancel += spec.reject_cancels;
  if (spec.reject_orders > 0) {
    faults_.reject += spec.reject_orders;
    faults_.reject_error = spec.reject_error;
  }
  if (spec.ack_delay) faults_.ack_delay = spec.ack_delay;
}

}  // namespace tg4::sim
