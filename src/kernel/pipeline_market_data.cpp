// The quality of the market data the pipeline is given (docs/MARKET_DATA.md): trades the bar
// aggregator did not simply apply (late, duplicate, renumbered, impossible, from the future),
// bars revised by late trades, and each symbol's freshness while the feed is up.
#include <fmt/format.h>

#include <algorithm>

#include "kernel/pipeline.hpp"

namespace tg4::kernel {
namespace {

double seconds_between(core::Timestamp from, core::Timestamp to) {
  return std::chrono::duration<double>(to - from).count();
}

double seconds(core::Duration d) {
  return std::chrono::duration<double>(d).count();
}

// At the book's price precision (trailing zeros kept: 0.00000910, not 0.0000091), never rounding a
// price that has more digits than that precision says.
std::string price_text(const core::Decimal& price, int precision) {
  if (price.round(precision) != price) return price.to_string();
  return price.to_string(precision);
}

std::string trade_text(const core::Trade& trade) {
  return fmt::format("trade {} ({} {} at {})", trade.trade_id, trade.qty.to_string(),
                     trade.price.to_string(), core::format_rfc3339(trade.time, 6));
}

}  // namespace

void Pipeline::say_once(spdlog::level::level_enum level, const char* kind,
                        const std::string& symbol, const std::string& text) {
  const bool first = said_once_.insert(std::string(kind) + " " + symbol).second;
  log_->log(first ? level : spdlog::level::debug, "{}: {}{}", symbol, text,
            first ? " (said once per symbol; the metric counts every one)" : "");
}

bool Pipeline::judge_trade(const core::Trade& trade, market::BarAggregator::TradeResult result) {
  using R = market::BarAggregator::TradeResult;
  if (metrics_scraped()) market_metrics_.on_trade_result(trade.symbol, result);
  const core::Timestamp minute_end = market::bucket_start(trade.time, 1) + std::chrono::minutes(1);
  switch (result) {
    case R::kApplied:
      return true;
    case R::kLate:
      say_once(spdlog::level::warn, "late", trade.symbol,
               fmt::format("{} came {:.3f} s after its minute ended, after its bar was closed "
                           "(feed.bar_close_delay {} s): not in any bar "
                           "(tg4_bar_late_trades_total); the stored trade keeps it",
                           trade_text(trade), seconds_between(minute_end, now()),
                           seconds(options_.bar_close_delay)));
      return true;  // a real trade: the market state, the venue and the store still see it
    case R::kRevised:
      say_once(spdlog::level::info, "revised", trade.symbol,
               fmt::format("{} came {:.3f} s after its minute ended (feed.bar_close_delay {} s): "
                           "its minute's bar is revised and stored again",
                           trade_text(trade), seconds_between(minute_end, now()),
                           seconds(options_.bar_close_delay)));
      return true;
    case R::kDuplicate:
      log_->debug("{}: {} already taken: dropped", trade.symbol, trade_text(trade));
      return false;
    case R::kRejected:
      say_once(spdlog::level::warn, "rejected", trade.symbol,
               fmt::format("{} has a price or size no trade has: rejected, kept out of bars, "
                           "prices and the strategy (tg4_bar_rejected_trades_total)",
                           trade_text(trade)));
      return false;
    case R::kFuture:
      say_once(spdlog::level::warn, "future", trade.symbol,
               fmt::format("{} is stamped {:.3f} s ahead of the local clock when it arrived "
                           "(feed.future_trade_tolerance {} s): rejected, kept out of bars, prices "
                           "and the strategy (tg4_bar_rejected_trades_total{{reason=\"future\"}}); "
                           "if this repeats, check this host's clock (NTP); against a simulator "
                           "running faster than life (tg4 sim --speed) set "
                           "feed.future_trade_tolerance: 0s",
                           trade_text(trade), seconds_between(trade.received, trade.time),
                           seconds(options_.max_trade_ahead)));
      return false;
  }
  return false;
}

void Pipeline::on_bar_revised(const core::Bar& bar, bool partial) {
  if (metrics_scraped()) market_metrics_.on_bar_revision(bar.symbol);
  // Stored again (the store keeps a minute's latest bar), as it was first: a partial minute not.
  if (options_.record_market_data && !partial) record(bar);
}

void Pipeline::on_trade_ids_reset(const core::Trade& trade, std::int64_t highest) {
  if (metrics_scraped()) market_metrics_.on_trade_id_reset(trade.symbol);
  log_->warn(
      "{}: trade ids start again at {} (the highest so far was {}) at {}: the exchange numbers its "
      "trades anew (a restarted exchange or simulator); its trades are taken, and the minute is "
      "partial (not stored; a backfill fills it)",
      trade.symbol, trade.trade_id, highest, core::format_rfc3339(trade.time, 6));
}

void Pipeline::watch_market_data(core::Timestamp now) {
  for (const std::string& symbol : options_.symbols) {
    const auto last = last_data_.find(symbol);
    const core::Timestamp since = last == last_data_.end() ? started_at_ : last->second;
    // While the feed is up: a reconnect's snapshots come within a second or two, the time it was
    // down is not this symbol's silence.
    const core::Timestamp quiet_since = std::max(since, feed_up_since_);
    DataFreshness& f = freshness_[symbol];
    const bool stale = feed_connected_ && now - quiet_since > options_.stale_after;
    f.age_seconds = seconds_between(since, now);
    if (stale != f.stale) {
      if (stale) {
        log_->warn(
            "{}: no trade or book update for {:.0f} s while the feed is up (market.stale_after "
            "{:.0f} s): its market data is stale; the node is not ready until it comes back",
            symbol, seconds_between(quiet_since, now), seconds(options_.stale_after));
      } else if (feed_connected_) {
        log_->info("{}: market data again after {:.0f} s", symbol, f.age_seconds);
      }
      f.stale = stale;
    }
    if (metrics_scraped()) market_metrics_.on_data_age(symbol, f.age_seconds, f.stale);
  }
}

void Pipeline::publish_markets(PipelineSummary& s) const {
  s.markets.clear();
  for (const auto& [symbol, book] : books_) {
    if (!book.valid() || !book.best_bid() || !book.best_ask()) continue;
    PipelineSummary::MarketLine& line = s.markets[symbol];
    line.bid = price_text(book.best_bid()->price, book.price_precision());
    line.ask = price_text(book.best_ask()->price, book.price_precision());
  }
  for (const auto& [symbol, f] : freshness_) {
    PipelineSummary::MarketLine& line = s.markets[symbol];
    line.data_age_seconds = f.age_seconds;
    line.stale = f.stale;
  }
}

}  // namespace tg4::kernel
