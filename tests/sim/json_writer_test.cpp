#include "sim/json_writer.hpp"

#include <gtest/gtest.h>

namespace tg4::sim {
namespace {

using core::Decimal;

TEST(JsonWriter, WritesNestedContainersWithCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("a").integer(1);
  w.key("b").begin_array().integer(1).string("x").boolean(false).null().begin_object().end_object().end_array();
  w.key("c").unsigned_integer(18125794168470749634ULL);
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[1,"x",false,null,{}],"c":18125794168470749634})");
}

TEST(JsonWriter, EscapesStrings) {
  JsonWriter w;
  w.begin_array().string("a\"b\\c\n\t\x01").end_array();
  EXPECT_EQ(w.str(), R"(["a\"b\\c\n\t\u0001"])");
}

TEST(JsonWriter, NumbersKeepTheInstrumentPrecision) {
  JsonWriter w;
  w.begin_array();
  w.number(Decimal::must("62807"), 1);
  w.number(Decimal::zero(), 8);
  w.number(Decimal::must("0.5666"), 5);
  w.number(Decimal::must("-0.17"), 2);
  w.number(Decimal::must("0.00000910"), 8);
  w.end_array();
  EXPECT_EQ(w.str(), "[62807.0,0.00000000,0.56660,-0.17,0.00000910]");
}

TEST(FloatStyle, MatchesPythonFloatRepr) {
  EXPECT_EQ(float_style_text(Decimal::must("0.00000001")), "1e-08");
  EXPECT_EQ(float_style_text(Decimal::must("0.00005")), "5e-05");
  EXPECT_EQ(float_style_text(Decimal::must("0.000025")), "2.5e-05");
  EXPECT_EQ(float_style_text(Decimal::must("0.0001")), "0.0001");
  EXPECT_EQ(float_style_text(Decimal::must("0.5")), "0.5");
  EXPECT_EQ(float_style_text(Decimal::must("1")), "1.0");
  EXPECT_EQ(float_style_text(Decimal::must("0.1")), "0.1");
  EXPECT_EQ(float_style_text(Decimal::must("60000")), "60000.0");
  EXPECT_EQ(float_style_text(Decimal::zero()), "0.0");
  EXPECT_EQ(float_style_text(Decimal::must("-0.00001")), "-1e-05");
  // The writer's output parses back to the same value.
  for (const char* text : {"1e-08", "5e-05", "2.5e-05", "0.0001", "60000.0"}) {
    const auto d = Decimal::parse(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(float_style_text(*d), text);
  }
}

}  // namespace
}  // namespace tg4::sim
