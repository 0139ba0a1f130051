#include "strategy/advice.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace tg4::strategy {
namespace {

constexpr std::array<std::pair<AdviceAction, const char*>, 4> kAdviceActionNames{{
    {AdviceAction::kBuy, "BUY"},
    {AdviceAction::kSell, "SELL"},
    {AdviceAction::kHold, "HOLD"},
    {AdviceAction::kClose, "CLOSE"},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

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
    if (equals_ignoring_case(text, name)) return value;
  }
  return core::Error::of("\"" + std::string(text) +
                         "\" is not an action: expected BUY, SELL, HOLD or CLOSE");
}

}  // namespace tg4::strategy
