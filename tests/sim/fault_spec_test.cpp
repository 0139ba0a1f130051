#include "sim/fault_spec.hpp"

#include <gtest/gtest.h>

namespace tg4::sim {
namespace {

using namespace std::chrono_literals;

TEST(FaultSpec, ParsesEveryFault) {
  const auto spec = FaultSpec::parse("drop=10s,stall=30s,stall_for=1500ms,corrupt_checksum=0.01,malformed=0.02,rate_limit=0.05");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->drop_after, 10s);
  EXPECT_EQ(spec->stall_after, 30s);
  EXPECT_EQ(spec->stall_for, 1500ms);
  EXPECT_DOUBLE_EQ(spec->corrupt_checksum, 0.01);
  EXPECT_DOUBLE_EQ(spec->malformed, 0.02);
  EXPECT_DOUBLE_EQ(spec->rate_limit, 0.05);
  EXPECT_TRUE(spec->any());
}

TEST(FaultSpec, EmptyMeansNoFaults) {
  const auto spec = FaultSpec::parse("");
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(spec->any());
  EXPECT_EQ(spec->to_string(), "");
}

TEST(FaultSpec, RoundTripsThroughItsCanonicalForm) {
  const auto spec = FaultSpec::parse(" drop = 2m , malformed=0.5,stall=1.5s ");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->to_string(), "drop=120s,stall=1500ms,malformed=0.5");
  const auto again = FaultSpec::parse(spec->to_string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->to_string(), spec->to_string());
}

TEST(FaultSpec, DurationsAcceptUnits) {
  EXPECT_EQ(parse_duration("250ms").value(), 250ms);
  EXPECT_EQ(parse_duration("3").value(), 3s);
  EXPECT_EQ(parse_duration("1h").value(), std::chrono::milliseconds(3'600'000));
  EXPECT_FALSE(parse_duration("10 parsecs").ok());
  EXPECT_FALSE(parse_duration("-1s").ok());
  EXPECT_FALSE(parse_duration("0s").ok());
}

// Every bad SPEC names the token at fault.
struct BadCase {
  const char* spec;
  const char* must_mention;
};

class FaultSpecErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(FaultSpecErrors, NameTheToken) {
  const auto spec = FaultSpec::parse(GetParam().spec);
  ASSERT_FALSE(spec.ok()) << GetParam().spec;
  EXPECT_NE(spec.error().message.find(GetParam().must_mention), std::string::npos) << spec.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, FaultSpecErrors,
    ::testing::Values(BadCase{"explode=1", "explode"}, BadCase{"drop=10s,bogus=3", "bogus=3"},
                      BadCase{"drop", "drop"}, BadCase{"drop=abc", "drop=abc"}, BadCase{"drop=10x", "10x"},
                      BadCase{"corrupt_checksum=2", "corrupt_checksum=2"}, BadCase{"malformed=-0.1", "malformed=-0.1"},
                      BadCase{"rate_limit=lots", "lots"}, BadCase{"drop=1s,drop=2s", "drop"},
                      BadCase{"stall_for=5s", "stall_for"}, BadCase{"drop=1s,,stall=2s", "empty"}));

TEST(FaultSpec, UnknownFaultListsTheKnownOnes) {
  const auto spec = FaultSpec::parse("explode=1");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("drop, stall, stall_for, corrupt_checksum, malformed, rate_limit"),
            std::string::npos);
}

}  // namespace
}  // namespace tg4::sim
