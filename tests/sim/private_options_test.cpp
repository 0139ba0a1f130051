// The private side's options: order faults in the fault spec, starting balances, credentials.
#include <gtest/gtest.h>

#include "sim/fault_spec.hpp"
#include "sim/sim_options.hpp"

namespace tg4::sim {
namespace {

TEST(PrivateFaultSpec, ParsesOrderFaultsAndRoundTrips) {
  auto spec = FaultSpec::parse(
      "drop_before_ack=1, reject=3:EOrder:Insufficient funds, order_rate_limit=2, ack_delay=250ms, "
      "reject_cancel=2");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->drop_before_ack, 1);
  EXPECT_EQ(spec->reject_orders, 3);
  EXPECT_EQ(spec->reject_error, "EOrder:Insufficient funds");
  EXPECT_EQ(spec->order_rate_limit, 2);
  EXPECT_EQ(spec->reject_cancels, 2);
  EXPECT_EQ(spec->ack_delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(spec->any());
  auto again = FaultSpec::parse(spec->to_string());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->to_string(), spec->to_string());
  auto plain = FaultSpec::parse("reject=2");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->reject_error, "EGeneral:Internal error");
}

TEST(PrivateFaultSpec, BadOrderFaultsNameTheToken) {
  EXPECT_EQ(FaultSpec::parse("reject=x").error().message,
            "fault 'reject=x': write reject=N or reject=N:EOrder:Insufficient funds (N >= 1)");
  EXPECT_EQ(
      FaultSpec::parse("drop_before_ack=0.5").error().message,
      "fault 'drop_before_ack=0.5': '0.5' is not a count of requests (e.g. drop_before_ack=1)");
  EXPECT_EQ(FaultSpec::parse("reject=1:").error().message,
            "fault 'reject=1:': the error after ':' is empty");
  EXPECT_NE(FaultSpec::parse("ack_delay=soon").error().message.find("bad duration 'soon'"),
            std::string::npos);
}

TEST(PrivateOptions, BalancesParseAndValidate) {
  auto b = parse_balances("USDT=10000,BTC=1.5");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->at("USDT"), core::Decimal::from_int(10000));
  EXPECT_EQ(b->at("BTC"), core::Decimal::must("1.5"));
  EXPECT_EQ(parse_balances("USDT").error().message,
            "balances: 'USDT' is not ASSET=AMOUNT (e.g. USDT=10000)");
  EXPECT_EQ(parse_balances("USDT=-1").error().message,
            "balances: 'USDT=-1': the amount is not a non-negative number");
  EXPECT_EQ(parse_balances("BTC=1,BTC=2").error().message, "balances: BTC is listed twice");
  EXPECT_TRUE(parse_balances("")->empty());
}

TEST(PrivateOptions, CredentialsAreChecked) {
  SimOptions o;
  EXPECT_TRUE(o.validate()) << "the built-in test credentials are valid";
  o.api_secret = "not base64!";
  const auto error = o.validate().error().message;
  EXPECT_EQ(error, "api_secret: not valid base64 (as Kraken gives it)");
  EXPECT_EQ(error.find("not base64!"), std::string::npos) << "the secret is never echoed";
  o.api_secret = std::string(kTestApiSecret);
  o.api_key.clear();
  EXPECT_EQ(o.validate().error().message, "api_key: must not be empty");
}

}  // namespace
}  // namespace tg4::sim
