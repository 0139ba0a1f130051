// `tg4 decide --symbol S --once [--dry-run]` (SPEC §12): one decision cycle of the trading-decision
// agent, by hand. The market comes from the store's bars (what `tg4 backfill` and the running
// sessions keep) or from a candles CSV (--data); every configured model is asked as a session would
// ask it, with the other agents' views a session would give them (the regime, the technical
// analysis and, where a model can search, the news: read on the spot by the same models or
// rules), and each answer is printed with the verdict. The answers, the views' and the verdict are
// recorded in the store's decisions table (mode "decide"). --dry-run records only what the models
// cost (their rows, session "decide-dry-run-..."), not the readings and verdict: a dry run spends
// real money, and the day's budget must count it.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "agents/agent_views.hpp"
#include "agents/llm_advisor.hpp"
#include "agents/rule_advisor.hpp"
#include "app/command.hpp"
#include "app/config_loading.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "kernel/account_restore.hpp"
#include "kernel/trading_records.hpp"
#include "llm/llm_metrics.hpp"
#include "market/candles_csv.hpp"
#include "storage/batch.hpp"
#include "storage/store.hpp"
#include "storage/writer.hpp"

namespace tg4::app {
namespace {

constexpr std::size_t kBarsPerTimeframe = 300;

struct DecideArgs {
  std::string symbol;
  bool once = false;
  bool dry_run = false;
  std::string data;
  int timeframe = 60;
  bool json = false;
};

// The store's closed bars of every timeframe it keeps; the bucket still in progress is left out.
core::Result<market::SymbolMarket> market_from_store(storage::Store& store,
                                                     const std::string& symbol) {
  std::vector<int> timeframes(storage::kTimeframes.begin(), storage::kTimeframes.end());
  market::SymbolMarket market(symbol, timeframes, market::MarketState::kDefaultHistory);
  auto newest = store.latest_bars(symbol, 1, 1);
  if (!newest)
    return core::Error::of("bars of " + symbol + " in " + store.url() + ": " +
                           newest.error().message);
  if (newest->empty()) {
    return core::Error::of("no bars of " + symbol + " in " + store.url() +
                           ": run `tg4 backfill --symbols " + symbol +
                           "` first, or give --data CANDLES.csv");
  }
  const core::Timestamp closed_until = newest->back().open_time + std::chrono::minutes(1);
  for (const int minutes : timeframes) {
    auto bars = store.latest_bars(symbol, minutes, kBarsPerTimeframe + 1);
    if (!bars) return core::Error::of("bars of " + symbol + ": " + bars.error().message);
    for (const core::Bar& bar : *bars) {
      if (bar.open_time + std::chrono::minutes(minutes) <= closed_until)
        market.on_bar(bar, closed_until);
    }
  }
  return market;
}

// A candles CSV's bars, and their roll-ups into each longer timeframe the store keeps (a session
// tracks them all, and the other agents read theirs): closed buckets only.
core::Result<market::SymbolMarket> market_from_csv(const std::string& path,
                                                   const std::string& symbol) {
  market::CandleReadOptions options;
  options.interval_minutes = std::max(1, market::interval_from_file_name(path));
  options.symbol = symbol;
  auto candles = market::read_candles_csv(path, options);
  if (!candles) return candles.error();
  if (candles->bars.empty()) return core::Error::of(path + ": no candles");
  const int base = options.interval_minutes;
  std::vector<int> timeframes{base};
  for (const int minutes : storage::kTimeframes) {
    if (minutes > base && minutes % base == 0) timeframes.push_back(minutes);
  }
  market::SymbolMarket market(symbol, timeframes, market::MarketState::kDefaultHistory);
  const core::Bar& last = candles->bars.back();
  const core::Timestamp closed_until = last.open_time + std::chrono::minutes(base);
  for (const int minutes : timeframes) {
    const std::vector<core::Bar> bars =
        minutes == base ? candles->bars : storage::roll_up(candles->bars, minutes);
    for (const core::Bar& bar : bars) {
      if (bar.open_time + std::chrono::minutes(minutes) <= closed_until)
        market.on_bar(bar, closed_until);
    }
  }
  return market;
}

// The other agents' views of the symbol, read now as a session keeps them: by the models when
// `advisor` is given (the regime and technical agents' models, and the search-capable ones for the
// news), else by the rules (which read no news). Each agent that is off in config is left out, and
// so is a regime or bias the reading cannot tell (a session shows none either). A regime here is
// one reading: a session would also want it confirmed by agents.regime_change_runs runs.
struct Views {
  std::vector<std::string> lines;           // as the decision's question gives them
  std::vector<strategy::AdviceVote> votes;  // every model asked for them: what each cost
  std::vector<storage::DecisionRow> rows;   // the readings as the store keeps them (as a session)
};

Views read_views(const core::Config& config, agents::LlmAdvisor* advisor,
                 const market::SymbolMarket& market, const strategy::AdviceRequest& asked,
                 const kernel::RecordScope& scope) {
  using agents::LlmAdvisor;
  Views views;
  const auto keep = [&](const auto& reading, std::vector<storage::DecisionRow> rows) {
    views.votes.insert(views.votes.end(), reading.votes.begin(), reading.votes.end());
    for (storage::DecisionRow& row : rows) views.rows.push_back(std::move(row));
  };
  const core::AgentsSection& on = config.agents;
  if (on.regime_detection && market.timeframe(on.regime_timeframe_minutes)) {
    const agents::RegimeRequest request{asked.symbol, on.regime_timeframe_minutes, asked.time};
    const auto question = LlmAdvisor::regime_question_for(request, market);
    const agents::RegimeReading r = advisor ? advisor->assess_now(question) : question.rules;
    // One reading changes no session's regime ("changed" false).
    keep(r, kernel::regime_rows(r, scope, false));
    if (r.regime != agents::MarketRegime::kUnknown) {
      views.lines.push_back(
          agents::regime_view(fmt::format("{} {:.2f} ({}; one reading)",
                                          agents::to_string(r.regime), r.confidence, r.source),
                              on.regime_timeframe_minutes));
    }
  }
  if (on.technical_analysis && market.timeframe(on.technical_timeframe_minutes)) {
    const agents::TechnicalRequest request{asked.symbol, on.technical_timeframe_minutes,
                                           asked.time};
    const auto question = LlmAdvisor::technical_question_for(request, market);
    const agents::TechnicalReading r = advisor ? advisor->analyse_now(question) : question.rules;
    keep(r, kernel::technical_rows(r, scope, false));
    if (r.known) views.lines.push_back(agents::technical_view(r, on.technical_timeframe_minutes));
  }
  if (advisor != nullptr && LlmAdvisor::reads_news(config.llm, on)) {
    const agents::SentimentRequest request{asked.symbol, asked.time};
    const agents::SentimentReading r =
        advisor->sense_now(LlmAdvisor::sentiment_question_for(request, &market));
    keep(r, kernel::sentiment_rows(r, scope, false));
    if (r.known) views.lines.push_back(agents::sentiment_view(r));
  }
  return views;
}

std::string price_text(const std::optional<core::Decimal>& price) {
  return price ? price->to_string() : "-";
}

// One model's answer; `agent` (a view's models) is said first when given.
void print_vote(const strategy::AdviceVote& vote, const std::string& agent = {}) {
  const std::string who =
      fmt::format("  {}{:<14} {:<28}", agent.empty() ? agent : fmt::format("{:<10}", agent),
                  vote.provider, vote.model);
  if (!vote.error.empty()) {
    // An unusable answer may still have been paid for.
    const std::string paid = vote.cost_usd.is_positive()
                                 ? fmt::format(" ({} USD)", vote.cost_usd.to_string())
                                 : std::string();
    fmt::print("{} no answer{}: {}\n", who, paid, vote.error);
    return;
  }
  fmt::print("{} {:<5} confidence {:.2f}  {} ms, {} + {} tokens, {} USD\n", who, vote.action,
             vote.confidence, vote.latency_us / 1000, vote.tokens_in, vote.tokens_out,
             vote.cost_usd.to_string());
}

void print_views(const Views& views) {
  fmt::print("other agents' views:{}\n", views.lines.empty() ? " none" : "");
  for (const std::string& view : views.lines) fmt::print("  {}\n", view);
  if (!views.votes.empty()) fmt::print("their models:\n");
  for (const strategy::AdviceVote& vote : views.votes) print_vote(vote, vote.agent);
}

void print_advice(const strategy::Advice& advice) {
  for (const strategy::AdviceVote& vote : advice.votes) print_vote(vote);
  fmt::print("verdict: {} {} at confidence {:.2f} ({})\n", strategy::to_string(advice.action),
             advice.symbol, advice.confidence, advice.source);
  fmt::print("  entry {}  stop {}  target {}  size {:.2f} %\n", price_text(advice.entry),
             price_text(advice.stop), price_text(advice.target), advice.size_pct);
  if (!advice.reasoning.empty()) fmt::print("  {}\n", advice.reasoning);
}

int run_decide(const CommandContext& ctx, const DecideArgs& args) {
  const auto config = load_config(ctx.globals, std::cerr);
  if (!config) return kExitUsage;
  if (!core::split_symbol(args.symbol)) {
    return usage_error(
        "decide", "--symbol: '" + args.symbol + "' is not in the form BASE/QUOTE (e.g. BTC/USD)");
  }
  if (!args.data.empty()) {
    if (const auto missing = missing_input("--data", args.data))
      return usage_error("decide", *missing);
  }
  const auto fail = [](const std::string& message) {
    std::cerr << "tg4 decide: " << message << "\n";
    return kExitFailure;
  };
  auto store = storage::open_store(config->storage.url);
  if (!store) return fail(store.error().message);
  auto market = args.data.empty() ? market_from_store(**store, args.symbol)
                                  : market_from_csv(args.data, args.symbol);
  if (!market) return fail(market.error().message);

  strategy::AdviceRequest request;
  request.symbol = args.symbol;
  request.timeframe_minutes = market->timeframe(args.timeframe)
                                  ? args.timeframe
                                  : market->timeframes().front().interval_minutes();
  // Asked now, by hand: the record is dated now and counts in today's budget; the question shows
  // the bars with their own times.
  request.time = core::LiveClock().now();
  const kernel::RecordScope scope{
      (args.dry_run ? "decide-dry-run-" : "decide-") + core::format_rfc3339(request.time, 0),
      "decide"};
  strategy::Advice advice;
  Views views;
  if (!config->llm.enabled) {
    views = read_views(*config, nullptr, *market, request, scope);
    request.agent_views = views.lines;
    advice = agents::rule_advice(request, *market, "rules (llm.enabled is false)");
  } else {
    prometheus::Registry registry;
    llm::LlmMetrics metrics(registry);
    agents::LlmAdvisor advisor(config->llm, config->agents, &metrics);
    // The day's budget is shared with the sessions (and earlier runs of this command).
    auto spent = kernel::llm_spend_since(**store, core::utc_day_start(request.time));
    if (!spent) return fail("the day's LLM spend: " + spent.error().message);
    advisor.already_spent(*spent);
    views = read_views(*config, &advisor, *market, request, scope);
    request.agent_views = views.lines;
    advice = advisor.decide_now(agents::LlmAdvisor::question_for(request, *market));
  }
  if (args.json) {
    std::cout << boost::json::serialize(kernel::advice_json(advice)) << "\n";
  } else {
    print_views(views);
    print_advice(advice);
  }
  std::vector<storage::DecisionRow> rows = std::move(views.rows);
  for (storage::DecisionRow& row : kernel::decision_rows(advice, scope))
    rows.push_back(std::move(row));
  if (args.dry_run) {
    // Not the readings or the verdict, but what each model cost: the next runs and the sessions
    // continue the day's budget from these rows (kernel::llm_spend_since).
    std::erase_if(rows, [](const storage::DecisionRow& row) {
      return !row.cost.is_positive() || row.provider == "consensus" || row.provider == "rules";
    });
  }
  if (rows.empty()) return kExitOk;
  storage::Batch batch;
  // decisions is keyed on decision_id, which storage::Writer fills in for the sessions; written
  // directly, rows without one would all land on the key '' (one row left of the cycle).
  std::mt19937_64 ids(std::random_device{}());
  for (storage::DecisionRow& row : rows) {
    row.decision_id = storage::new_row_id(ids);
    batch.add(std::move(row));
  }
  if (auto written = (*store)->write(batch); !written) {
    return fail(
        std::string(args.dry_run ? "recording what the models cost" : "recording the decision") +
        ": " + written.error().message);
  }
  return kExitOk;
}

}  // namespace

void add_decide_command(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<DecideArgs>();
  CLI::App* cmd = add_command(root, ctx, "decide",
                              "One agent decision cycle: each model's answer and the verdict",
                              [&ctx, args] { return run_decide(ctx, *args); });
  cmd->add_option("--symbol", args->symbol, "symbol to decide on, e.g. BTC/USD")->required();
  cmd->add_flag("--once", args->once, "one cycle, then exit (the only mode)");
  cmd->add_flag("--dry-run", args->dry_run,
                "print, and record only what the models cost (for the daily budget), not the "
                "answers and verdict");
  cmd->add_option("--data", args->data, "candles CSV to judge on (default: the store's bars)");
  cmd->add_option("--timeframe", args->timeframe, "bar interval (minutes) the rules judge on")
      ->check(CLI::PositiveNumber)
      ->default_val(60);
  cmd->add_flag("--json", args->json, "print the verdict as JSON");
}

}  // namespace tg4::app
