#pragma once
// What the LlmAdvisor tests share: `models` providers configured against one FakeLlmServer
// (alternately OpenAI "gpt" and Anthropic "claude", models m1, m2, ..., each answering `reply`;
// 100 tokens in and 20 out cost 0.0003 USD), and a market of 80 rising hourly bars.
#include <string>

#include "agents_test_util.hpp"
#include "core/config.hpp"
#include "support/fake_llm_server.hpp"

namespace tg4::agents::testing {

struct LlmFixture {
  LlmFixture(int models, const std::string& budget, const std::string& reply) {
    llm.enabled = true;
    llm.timeout = std::chrono::milliseconds(3000);
    llm.max_retries = 0;
    llm.retry_backoff = std::chrono::milliseconds(0);
    llm.daily_budget_usd = core::Decimal::must(budget);
    llm.budget_warn_usd = core::Decimal::must(budget);
    for (int i = 1; i <= models; ++i) {
      core::LlmProvider p;
      p.name = i % 2 == 0 ? "claude" : "gpt";
      p.kind = i % 2 == 0 ? core::LlmProviderKind::kAnthropic : core::LlmProviderKind::kOpenAi;
      p.base_url = i % 2 == 0 ? server.base_url_anthropic() : server.base_url_openai();
      p.model = "m" + std::to_string(i);
      p.api_key = "sk-test-" + std::to_string(i);
      p.input_usd_per_mtok = core::Decimal::must("1");    // 100 tokens in: 0.0001 USD
      p.output_usd_per_mtok = core::Decimal::must("10");  // 20 tokens out: 0.0002 USD
      llm.providers.push_back(p);
      server.set_reply_for_model(p.model, tg4::testing::LlmBehaviour::reply(reply));
    }
    feed_trend(market, 60, 80, 0.002);
  }

  // Every configured model answers so from now on.
  void all_answer(const tg4::testing::LlmBehaviour& behaviour) {
    for (const auto& p : llm.providers) server.set_reply_for_model(p.model, behaviour);
  }

  tg4::testing::FakeLlmServer server;
  core::LlmSection llm;
  core::AgentsSection agents;
  market::SymbolMarket market{"BTC/USDT", {60}, 500};
};

}  // namespace tg4::agents::testing
