#include "kraken/frame_replay.hpp"

#include <array>
#include <boost/json.hpp>

namespace tg4::kraken {
namespace {

constexpr std::array<std::size_t, 5> kKrakenDepths{10, 25, 100, 500, 1000};
constexpr core::Duration kMinute = std::chrono::minutes(1);

// The smallest subscription depth that holds a snapshot of `levels` per side.
std::size_t depth_for(std::size_t levels) {
  for (const std::size_t d : kKrakenDepths) {
    if (levels <= d) return d;
  }
  return kKrakenDepths.back();
}

}  // namespace

FrameReplay::FrameReplay(market::BarAggregator::BarSink on_bar, std::size_t keep_errors)
    : bars_([this](const core::Bar& bar) {
        if (bar.interval_minutes == 1) {
          ++summary_.bars_1m;
        } else {
          ++summary_.bars_rolled_up;
        }
        if (on_bar_) on_bar_(bar);
      }),
      on_bar_(std::move(on_bar)),
      keep_errors_(keep_errors) {
  bars_.set_mismatch_sink(
      [this](const core::Bar&, const core::Bar&) { ++summary_.bar_mismatches; });
}

void FrameReplay::feed(std::string_view frame, std::uint64_t line) {
  while (!frame.empty() && (frame.back() == '\r' || frame.back() == '\n')) frame.remove_suffix(1);
  if (frame.find_first_not_of(" \t") == std::string_view::npos) return;
  ++summary_.frames;
  // Replay has no receive times: events carry the exchange time only.
  auto kind = parser_.parse(frame, core::Timestamp{}, *this);
  if (!kind) {
    ++summary_.parse_errors;
    if (errors_.size() < keep_errors_) errors_.push_back(ReplayError{line, kind.error().message});
    return;
  }
  if (*kind == FrameKind::kUnknownChannel) ++summary_.unknown_channels;
}

void FrameReplay::advance_clock(core::Timestamp exchange_time) {
  if (exchange_time <= clock_) return;
  clock_ = exchange_time;
  if (clock_ >= next_close_) {
    bars_.on_time(clock_);
    next_close_ = market::bucket_start(clock_, 1) + kMinute;
  }
}

market::OrderBook& FrameReplay::book_for(const core::BookDelta& delta) {
  auto it = books_.find(delta.symbol);
  if (it != books_.end() && !delta.is_snapshot) return it->second;
  std::size_t depth = 10;
  if (const auto d = depths_.find(delta.symbol); d != depths_.end()) {
    depth = d->second;
  } else if (delta.is_snapshot) {
    depth = depth_for(std::max(delta.bids.size(), delta.asks.size()));
  }
  // A snapshot for a depth other than the book's (a new subscription) starts a new book.
  if (it == books_.end() || depth != it->second.depth()) {
    if (it != books_.end()) books_.erase(it);
    it = books_.emplace(delta.symbol, market::OrderBook(delta.symbol, depth)).first;
    if (const auto* inst = instruments_.find(delta.symbol)) {
      it->second.set_precision(inst->price_precision, inst->qty_precision);
    }
  }
  return it->second;
}

void FrameReplay::on_book(const core::BookDelta& delta) {
  if (delta.is_snapshot) {
    ++summary_.book_snapshots;
  } else {
    ++summary_.book_updates;
    advance_clock(delta.exchange_time);
  }
  market::OrderBook& book = book_for(delta);
  switch (book.apply(delta)) {
    case market::ApplyResult::kApplied:
      ++summary_.checksum_ok;
      break;
    case market::ApplyResult::kChecksumMismatch:
      ++summary_.checksum_mismatch;
      ++summary_.resubscribes;  // the live path resubscribes this symbol's book
      break;
    default:
      break;  // ignored while waiting for a snapshot
  }
}

void FrameReplay::on_trade(const core::Trade& trade) {
  ++summary_.trades;
  advance_clock(trade.time);
  (void)bars_.on_trade(trade);
}

void FrameReplay::on_ohlc(const core::Ohlc& ohlc) {
  bars_.on_kraken_ohlc(ohlc.bar);
}

void FrameReplay::on_instrument(const core::InstrumentUpdate& update) {
  const auto& inst = update.instrument;
  instruments_.upsert(inst);
  if (auto it = books_.find(inst.symbol); it != books_.end()) {
    it->second.set_precision(inst.price_precision, inst.qty_precision);
  }
}

void FrameReplay::on_method(const MethodResponse& response) {
  if (response.method == "subscribe" && response.success && response.channel == "book" &&
      response.depth && !response.symbol.empty()) {
    depths_[response.symbol] = static_cast<std::size_t>(*response.depth);
  }
}

std::string FrameReplay::summary_json() const {
  const auto& s = summary_;
  boost::json::object out;
  out["frames"] = s.frames;
  out["parse_errors"] = s.parse_errors;
  out["book_snapshots"] = s.book_snapshots;
  out["book_updates"] = s.book_updates;
  out["checksum_ok"] = s.checksum_ok;
  out["checksum_mismatch"] = s.checksum_mismatch;
  out["resubscribes"] = s.resubscribes;
  out["trades"] = s.trades;
  out["bars_1m"] = s.bars_1m;
  boost::json::object books;
  for (const auto& [symbol, book] : books_) {
    boost::json::object b;
    const auto bid = book.best_bid();
    const auto ask = book.best_ask();
    b["bid"] = bid ? boost::json::value(bid->price.to_string(book.price_precision())) : nullptr;
    b["ask"] = ask ? boost::json::value(ask->price.to_string(book.price_precision())) : nullptr;
    b["valid"] = book.valid();
    b["depth"] = book.depth();
    books[symbol] = std::move(b);
  }
  out["books"] = std::move(books);
  out["bars_rolled_up"] = s.bars_rolled_up;
  out["bar_mismatches"] = s.bar_mismatches;
  out["unknown_channels"] = s.unknown_channels;
  out["late_trades"] = bars_.stats().late_trades;
  out["duplicate_trades"] = bars_.stats().duplicate_trades;
  out["rejected_trades"] = bars_.stats().rejected_trades;
  out["trade_id_resets"] = bars_.stats().id_resets;
  return boost::json::serialize(out);
}

}  // namespace tg4::kraken
