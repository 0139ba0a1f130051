#include <gtest/gtest.h>

#include "core/decimal.hpp"

using tg4::core::Decimal;

TEST(DecimalSmoke, KrakenTextsKeepTheirDigits) {
  EXPECT_EQ(Decimal::must("45281.0").to_string(1), "45281.0");
  EXPECT_EQ(Decimal::must("0.10000000").to_string(8), "0.10000000");
  EXPECT_EQ((Decimal::must("0.1") + Decimal::must("0.2")).to_string(), "0.3");
}
