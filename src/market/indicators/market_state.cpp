#include "market/indicators/market_state.hpp"

namespace tg4::market {

void TimeframeState::on_bar(const core::Bar& bar) {
  set_.update(bar);
  if (history_ == 0) return;
  if (bars_.size() == history_) bars_.pop_front();
  bars_.push_back(bar);
}

SymbolMarket::SymbolMarket(std::string symbol, const std::vector<int>& timeframes,
                           std::size_t history, IndicatorScope scope, int full_timeframe)
    : symbol_(std::move(symbol)) {
  timeframes_.reserve(timeframes.size());
  for (int tf : timeframes) {
    const bool full = scope == IndicatorScope::kAll || tf == full_timeframe;
    timeframes_.emplace_back(tf, full ? history : 0, full ? IndicatorScope::kAll : scope);
  }
}

const TimeframeState* SymbolMarket::timeframe(int interval_minutes) const {
  for (const TimeframeState& tf : timeframes_) {
    if (tf.interval_minutes() == interval_minutes) return &tf;
  }
  return nullptr;
}

QualityFlags SymbolMarket::quality(core::Timestamp now) const {
  QualityFlags q;
  q.stale = !last_update_.is_set() || now - last_update_ > stale_after_;
  q.too_few_candles =
      timeframes_.empty() || timeframes_.front().bar_count() < QualityFlags::kMinCandles;
  q.no_order_book = !book_.has_value();
  return q;
}

std::optional<double> SymbolMarket::trend_alignment() const {
  std::vector<const IndicatorSnapshot*> snaps;
  snaps.reserve(timeframes_.size());
  for (const TimeframeState& tf : timeframes_) snaps.push_back(&tf.indicators());
  return market::trend_alignment(snaps);
}

void SymbolMarket::on_bar(const core::Bar& bar, core::Timestamp received) {
  for (TimeframeState& tf : timeframes_) {
    if (tf.interval_minutes() != bar.interval_minutes) continue;
    tf.on_bar(bar);
    if (tf.interval_minutes() == timeframes_.front().interval_minutes()) last_price_ = bar.close;
  }
  touch(received);
}

void SymbolMarket::on_trade(const core::Trade& trade) {
  last_price_ = trade.price;
  touch(trade.received.is_set() ? trade.received : trade.time);
}

void SymbolMarket::on_book(std::optional<BookFeatures> features, core::Timestamp time) {
  book_ = features;
  touch(time);
}

MarketState::MarketState(std::vector<int> timeframes, std::size_t history, IndicatorScope scope,
                         int full_timeframe)
    : timeframes_(std::move(timeframes)), history_(history), scope_(scope), full_timeframe_(full_timeframe) {}

const SymbolMarket* MarketState::find(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : &it->second;
}

SymbolMarket& MarketState::symbol(const std::string& symbol) {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end()) {
    it = symbols_.try_emplace(symbol, symbol, timeframes_, history_, scope_, full_timeframe_).first;
    it->second.set_stale_after(stale_after_);
  }
  return it->second;
}

void MarketState::set_stale_after(core::Duration d) {
  stale_after_ = d;
  for (auto& [symbol, market] : symbols_) market.set_stale_after(d);
}

}  // namespace tg4::market
