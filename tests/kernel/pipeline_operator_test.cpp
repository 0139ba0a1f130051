// Operator actions through the pipeline as the API calls them: /status (the published summary)
// shows an acknowledged action at once, not after the next tick republishes it (a halt used to
// read ACTIVE or REDUCING for up to a second), and every answer carries the state it left.
#include <gtest/gtest.h>

#include "kernel/pipeline.hpp"
#include "pipeline_trades.hpp"

namespace tg4::kernel {
namespace {

using testing::kStart;

TEST(PipelineOperator, StatusShowsAnActionAtOnce) {
  core::SimulatedClock clock{kStart};
  Kernel kernel{clock};
  PipelineOptions options;
  options.scope = {"op1", "paper"};
  options.symbols = {"BTC/USDT"};
  PipelineOutputs outputs;
  outputs.strategy = std::make_unique<testing::BuyThenSell>();
  auto pipeline = Pipeline::create(kernel, options, std::move(outputs)).value();
  testing::start_pipeline(kernel, *pipeline);
  ASSERT_EQ(pipeline->status_json().at("trading_state").as_string(), "ACTIVE");

  // No clock tick between an action and the status read: only the action can have published it.
  const auto state_after = [&](const core::Result<boost::json::object>& answer) {
    EXPECT_TRUE(answer) << answer.error().message;
    const std::string status(pipeline->status_json().at("trading_state").as_string());
    if (answer) {
      EXPECT_EQ(answer->at("trading_state").as_string(), status) << "the answer's state";
    }
    return status;
  };
  EXPECT_EQ(state_after(pipeline->pause("operator pause")), "REDUCING");
  EXPECT_EQ(pipeline->status_json().at("state_reason").as_string(), "operator pause");
  EXPECT_EQ(state_after(pipeline->resume()), "ACTIVE");
  EXPECT_EQ(state_after(pipeline->halt("operator halt", false)), "HALTED");
  EXPECT_EQ(state_after(pipeline->flatten("operator flatten")), "HALTED");
}

}  // namespace
}  // namespace tg4::kernel
