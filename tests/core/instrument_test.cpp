#include "core/instrument.hpp"

#include <gtest/gtest.h>

namespace tg4::core {
namespace {

TEST(SymbolList, TrimsBlanksAndDropsEmptyItems) {
  using List = std::vector<std::string>;
  EXPECT_EQ(split_symbol_list("BTC/USDT, XRP/USDT"), (List{"BTC/USDT", "XRP/USDT"}));
  EXPECT_EQ(split_symbol_list("  BTC/USDT ,, ,XRP/BTC,"), (List{"BTC/USDT", "XRP/BTC"}));
  EXPECT_EQ(split_symbol_list(""), List{});
  EXPECT_EQ(split_symbol_list(" , "), List{});
}

}  // namespace
}  // namespace tg4::core
