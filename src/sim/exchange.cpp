#include "sim/exchange.hpp"

namespace tg4::sim {

wire::TickerData SymbolState::ticker(core::Timestamp time) const {
  const auto& book = market->book();
  wire::TickerData d;
  if (!book.bids().empty()) {
    d.bid = book.price(book.bids().front().ticks);
    d.bid_qty = book.bids().front().qty;
  }
  if (!book.asks().empty()) {
    d.ask = book.price(book.asks().front().ticks);
    d.ask_qty = book.asks().front().qty;
  }
  const Stats24h s = history->stats_24h();
  d.last = s.last;
  d.volume = s.volume;
  d.vwap = s.vwap;
  d.low = s.low;
  d.high = s.high;
  d.change = s.last - s.open;
  d.change_pct = s.open.is_positive()
                     ? core::Decimal::div(d.change * core::Decimal::from_int(100), s.open, core::Rounding::kHalfEven)
                           .round(2)
                     : core::Decimal::zero();
  d.timestamp = time;
  return d;
}

SymbolState* Exchange::find(std::string_view symbol) {
  for (auto& s : symbols) {
    if (s->symbol.instrument.symbol == symbol) return s.get();
  }
  return nullptr;
}

std::vector<const SimSymbol*> Exchange::sim_symbols() const {
  std::vector<const SimSymbol*> out;
  out.reserve(symbols.size());
  for (const auto& s : symbols) out.push_back(&s->symbol);
  return out;
}

StepFrames::StepFrames(SymbolState& state, const MarketStep& step, std::map<std::size_t, DepthBoundary> boundaries,
                       bool top_changed)
    : state_(state), step_(step), boundaries_(std::move(boundaries)), top_changed_(top_changed) {}

const DepthUpdate& StepFrames::update(std::size_t depth) {
  auto it = updates_.find(depth);
  if (it == updates_.end()) {
    const auto b = boundaries_.find(depth);
    const DepthBoundary boundary = b != boundaries_.end() ? b->second : DepthBoundary{depth, std::nullopt, std::nullopt};
    it = updates_.emplace(depth, depth_update(state_.market->book(), step_.changes, boundary)).first;
  }
  return it->second;
}

Frame StepFrames::book(std::size_t depth) {
  const auto it = book_frames_.find(depth);
  if (it != book_frames_.end()) return it->second;
  const DepthUpdate& u = update(depth);
  Frame frame;
  if (!u.empty()) {
    const auto& inst = state_.symbol.instrument;
    if (!checksum_) checksum_ = state_.market->book().checksum(inst.price_precision, inst.qty_precision);
    frame = make_frame(wire::book(inst, false, u.bids, u.asks, *checksum_, step_.time));
  }
  book_frames_.emplace(depth, frame);
  return frame;
}

Frame StepFrames::book_corrupted(std::size_t depth) {
  if (!book(depth)) return nullptr;
  const DepthUpdate& u = update(depth);
  const auto& inst = state_.symbol.instrument;
  return make_frame(wire::book(inst, false, u.bids, u.asks, *checksum_ ^ 0x5A5A5A5Au, step_.time));
}

Frame StepFrames::trades() {
  if (!trades_frame_ && has_trades()) {
    trades_frame_ = make_frame(wire::trades(state_.symbol.instrument, false, step_.trades));
  }
  return trades_frame_;
}

Frame StepFrames::ticker() {
  if (!ticker_frame_) ticker_frame_ = make_frame(wire::ticker(state_.symbol.instrument, false, state_.ticker(step_.time)));
  return ticker_frame_;
}

Frame StepFrames::ohlc(int interval) {
  const auto it = ohlc_frames_.find(interval);
  if (it != ohlc_frames_.end()) return it->second;
  Frame frame;
  if (const auto bar = state_.history->current_bar(interval, step_.time)) {
    const OutBar bars[] = {*bar};
    frame = make_frame(wire::ohlc(state_.symbol.instrument, false, bars, step_.time));
  }
  ohlc_frames_.emplace(interval, frame);
  return frame;
}

}  // namespace tg4::sim
