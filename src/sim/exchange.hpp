#pragma once
// Exchange: the state one simulator shares between its sessions and REST handlers: per-symbol market,
// history and subscription counts, the simulated clock, metrics. Everything here is used on the
// simulator's strand only, so nothing is locked. StepFrames carries one market event to the sessions
// and serialises each frame at most once however many sessions want it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <spdlog/logger.h>

#include "core/time.hpp"
#include "sim/kraken_wire.hpp"
#include "sim/sim_metrics.hpp"
#include "sim/sim_options.hpp"
#include "sim/sim_symbol.hpp"
#include "sim/symbol_history.hpp"
#include "sim/symbol_market.hpp"

namespace tg4::sim {

using Frame = std::shared_ptr<const std::string>;

inline Frame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

struct SymbolState {
  SimSymbol symbol;
  std::unique_ptr<SymbolHistory> history;
  std::unique_ptr<SymbolMarket> market;
  std::map<std::size_t, int> book_depths;  // depth -> subscribed sessions

  wire::TickerData ticker(core::Timestamp time) const;
};

struct Exchange {
  Exchange(const SimOptions& opts, SimMetrics& m, std::shared_ptr<spdlog::logger> log)
      : options(opts), metrics(m), logger(std::move(log)) {}

  const SimOptions& options;
  SimMetrics& metrics;
  std::shared_ptr<spdlog::logger> logger;
  std::vector<std::unique_ptr<SymbolState>> symbols;
  std::function<core::Timestamp()> now;  // the simulated clock
  // Called when a session's first subscription arrives (deterministic mode starts the clock then).
  std::function<void()> on_request;
  simdjson::dom::parser parser;  // one parser, reused: requests are handled one at a time
  Frame instrument_snapshot;
  Frame heartbeat = make_frame(wire::heartbeat());
  std::uint64_t sessions_opened = 0;

  SymbolState* find(std::string_view symbol);
  std::vector<const SimSymbol*> sim_symbols() const;
};

// One market event of one symbol, with lazily encoded frames.
class StepFrames {
 public:
  StepFrames(SymbolState& state, const MarketStep& step, std::map<std::size_t, DepthBoundary> boundaries,
             bool top_changed);

  const SymbolState& state() const { return state_; }
  const MarketStep& step() const { return step_; }
  bool has_trades() const { return !step_.trades.empty(); }
  bool top_changed() const { return top_changed_; }

  // Book update for a depth-`depth` subscriber; null if the event did not change what it sees.
  Frame book(std::size_t depth);
  // The same update with a wrong checksum (fault injection); null like book().
  Frame book_corrupted(std::size_t depth);
  Frame trades();
  Frame ticker();
  Frame ohlc(int interval);

 private:
  const DepthUpdate& update(std::size_t depth);
  SymbolState& state_;
  const MarketStep& step_;
  std::map<std::size_t, DepthBoundary> boundaries_;
  bool top_changed_;
  std::optional<std::uint32_t> checksum_;
  std::map<std::size_t, DepthUpdate> updates_;
  std::map<std::size_t, Frame> book_frames_;
  Frame trades_frame_;
  Frame ticker_frame_;
  std::map<int, Frame> ohlc_frames_;
};

}  // namespace tg4::sim
