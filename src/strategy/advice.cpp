#include "strategy/advice.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/text.hpp"

namespace tg4::strategy {
namespace {

constexpr std::array<std::pair<AdviceAction, const char*>, 4> kAdviceActionNames{{
    {AdviceAction::kBuy, "BUY"},
    {AdviceAction::kSell, "SELL"},
    {AdviceAction::kHold, "HOLD"},
    {AdviceAction::kClose, "CLOSE"},
}};

}  // namespace

const char* to_string(AdviceAction action) {
  for (const auto& [value, name] : kAdviceActionNames) {
    if (value == action) return name;
  }
  return "HOLD";
}

core::Result<AdviceAction> parse_advice_action(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  for (const auto& [value, name] : kAdviceActionNames) {
    if (core::equals_ignoring_case(text, name)) return value;
  }
  return core::Error::of("\"" + std::string(text) +
                         "\" is not an action: expected BUY, SELL, HOLD or CLOSE");
}

}  // namespace tg4::strategy
