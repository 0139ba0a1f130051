#pragma once
// Small text helpers shared by parsers of people's and models' words.
#include <algorithm>
#include <cctype>
#include <string_view>

namespace tg4::core {

// ASCII letters compared without case ("buy" == "BUY"); other bytes as they are.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace tg4::core
