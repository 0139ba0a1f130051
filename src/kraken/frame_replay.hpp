#pragma once
// FrameReplay: recorded Kraken WS v2 frames (one per line, exactly as received: SPEC §12) through
// the same components as the live path: FrameParser -> OrderBook per symbol (checksum verified) ->
// BarAggregator. `tg4 replay` and the market benchmark drive it.
//
// Book depth comes from the recording's subscribe acks; without one, from the snapshot's size (the
// smallest Kraken depth that holds it). Instrument frames set the checksum precisions; otherwise
// books learn them from the wire. On a checksum mismatch the book is invalid until its next
// snapshot and one resubscription is counted (what the live feed would request). The clock is the
// newest exchange time seen; bars close when it passes their end, and the minute still open at the
// end of the recording is not emitted (it is incomplete).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/instrument.hpp"
#include "kraken/codec.hpp"
#include "market/bar_aggregator.hpp"
#include "market/order_book.hpp"

namespace tg4::kraken {

struct ReplaySummary {
  std::uint64_t frames = 0;
  std::uint64_t parse_errors = 0;
  std::uint64_t book_snapshots = 0;
  std::uint64_t book_updates = 0;
  std::uint64_t checksum_ok = 0;
  std::uint64_t checksum_mismatch = 0;
  std::uint64_t resubscribes = 0;
  std::uint64_t trades = 0;
  std::uint64_t bars_1m = 0;
  std::uint64_t bars_rolled_up = 0;
  std::uint64_t bar_mismatches = 0;  // against Kraken's ohlc 1m candles, when recorded
  std::uint64_t unknown_channels = 0;
};

struct ReplayError {
  std::uint64_t line = 0;
  std::string message;
};

class FrameReplay final : private FrameSink {
 public:
  // `on_bar` receives every closed bar (1m and roll-ups); may be empty.
  explicit FrameReplay(market::BarAggregator::BarSink on_bar = {}, std::size_t keep_errors = 5);

  // One recorded frame; `line` numbers errors (1-based). Blank lines are skipped, not counted.
  void feed(std::string_view frame, std::uint64_t line);

  const ReplaySummary& summary() const { return summary_; }
  // The first `keep_errors` parse errors with their line numbers.
  const std::vector<ReplayError>& first_errors() const { return errors_; }
  const std::map<std::string, market::OrderBook, std::less<>>& books() const { return books_; }
  const market::BarAggregator& bars() const { return bars_; }
  // The summary of SPEC §12 as JSON: frames, parse_errors, book_snapshots, book_updates,
  // checksum_ok, checksum_mismatch, resubscribes, trades, bars_1m, books {symbol: {bid, ask}}
  // (decimal strings), and a few more counters.
  std::string summary_json() const;

 private:
  void on_book(const core::BookDelta& delta) override;
  void on_trade(const core::Trade& trade) override;
  void on_ohlc(const core::Ohlc& ohlc) override;
  void on_instrument(const core::InstrumentUpdate& update) override;
  void on_method(const MethodResponse& response) override;
  void advance_clock(core::Timestamp exchange_time);
  market::OrderBook& book_for(const core::BookDelta& delta);

  FrameParser parser_;
  market::BarAggregator bars_;
  market::BarAggregator::BarSink on_bar_;
  std::map<std::string, market::OrderBook, std::less<>> books_;
  std::map<std::string, std::size_t, std::less<>> depths_;  // from subscribe acks
  core::InstrumentRegistry instruments_;
  core::Timestamp clock_;
  core::Timestamp next_close_;  // the next minute boundary: bars are only checked when it passes
  ReplaySummary summary_;
  std::vector<ReplayError> errors_;
  std::size_t keep_errors_;
};

}  // namespace tg4::kraken
