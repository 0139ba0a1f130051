// libFuzzer target: arbitrary text as a model's answer (the message content of a chat completion or
// a Messages API answer) through json_object_in and every agent's answer parser. Garbage must be an
// Error, never a crash; an answer that parses must hold only what its agent may act on: every
// number finite and within its documented range, prices positive and in order.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agents/model_decision.hpp"
#include "agents/model_regime.hpp"
#include "agents/model_sentiment.hpp"
#include "agents/model_technical.hpp"
#include "llm/json_object.hpp"

namespace {

void require(bool sound) {
  if (!sound) std::abort();
}

bool within(double x, double low, double high) {
  return std::isfinite(x) && x >= low && x <= high;
}

void check_decision(const boost::json::object& answer) {
  const auto d = tg4::agents::parse_model_decision(answer);
  if (!d) return;
  require(within(d->confidence, 0, 1) && within(d->size_pct, 0, 100));
  for (const auto& price : {d->entry, d->stop, d->target}) require(!price || price->is_positive());
  require(tg4::agents::check_price_order(*d).ok());
}

void check_regime(const boost::json::object& answer) {
  const auto r = tg4::agents::parse_model_regime(answer);
  if (!r) return;
  require(r->regime != tg4::agents::MarketRegime::kUnknown);
  require(within(r->confidence, 0, 1) && within(r->size_multiplier, 0, 2));
  require(within(r->stop_multiplier, 0.5, 3) && within(r->target_multiplier, 0.5, 3));
}

void check_technical(const boost::json::object& answer) {
  const auto t = tg4::agents::parse_model_technical(answer);
  if (!t) return;
  require(within(t->confidence, 0, 1) && within(t->trend_strength, 0, 1));
  require(within(t->momentum, -1, 1));
  for (const auto& price : {t->support, t->resistance})
    require(!price || within(*price, 0, HUGE_VAL));
  require(!t->support || !t->resistance || *t->support < *t->resistance);
}

void check_sentiment(const boost::json::object& answer) {
  const auto s = tg4::agents::parse_model_sentiment(answer);
  if (!s) return;
  require(within(s->confidence, 0, 1) && within(s->score, -1, 1));
  require(s->key_events.size() <= tg4::agents::kMaxKeyEvents);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto answer = tg4::llm::json_object_in(text);
  if (!answer) return 0;
  check_decision(*answer);
  check_regime(*answer);
  check_technical(*answer);
  check_sentiment(*answer);
  return 0;
}
