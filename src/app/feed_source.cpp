#include "app/feed_source.hpp"

#include "core/logging.hpp"

namespace tg4::app {
namespace {

// Under an event-time clock (a simulator running faster than life) the wall-clock receive times
// would drag the kernel's clock into the present; they are replaced by the latest exchange time
// seen, so only the exchange's own timeline moves the clock.
class ExchangeTimeline {
 public:
  void stamp(core::MarketEvent& event) {
    std::visit([this](auto& e) { restamp(e); }, event);
  }

 private:
  void restamp(core::BookDelta& e) {
    see(e.exchange_time);
    e.received = latest_;
  }
  void restamp(core::Trade& e) {
    see(e.time);
    e.received = latest_;
  }
  void restamp(core::Ticker& e) { e.received = latest_; }
  void restamp(core::Ohlc& e) { e.received = latest_; }
  void restamp(core::FeedState& e) { e.time = latest_; }
  template <typename Other>
  void restamp(Other&) {}
  void see(core::Timestamp t) {
    if (t > latest_) latest_ = t;
  }
  core::Timestamp latest_;
};

class FeedSource final : public MarketSource {
 public:
  FeedSource(kernel::Kernel& kernel, kraken::FeedOptions options, prometheus::Registry* registry,
             bool exchange_time)
      : feed_(
            std::move(options),
            [&kernel, exchange_time, timeline = std::make_shared<ExchangeTimeline>()](core::MarketEvent event) {
              if (exchange_time) timeline->stamp(event);
              kernel.post(std::move(event));
            },
            registry, core::logger("feed")) {}
  core::Status start() override { return feed_.start(); }
  void stop() override { feed_.stop(); }
  void resubscribe_book(const std::string& symbol) override { feed_.resubscribe_book(symbol); }
  bool connected() const override { return feed_.stats().up; }

 private:
  kraken::Feed feed_;
};

}  // namespace

kraken::FeedOptions feed_options_from_config(const core::Config& config, const std::string& url) {
  kraken::FeedOptions options;
  options.url = url.empty() ? config.feed.url : url;
  options.symbols = config.symbols;
  options.channels.book_depth = config.feed.book_depth;
  if (config.feed.subscribe_ohlc) options.channels.ohlc_intervals = {1};
  options.message_deadline = config.feed.message_deadline;
  options.reconnect_backoff.base = config.feed.backoff_min;
  options.reconnect_backoff.cap = config.feed.backoff_max;
  return options;
}

MarketSourceFactory kraken_feed_source(kraken::FeedOptions options, bool exchange_time) {
  return [options = std::move(options), exchange_time](kernel::Kernel& kernel,
                                        prometheus::Registry& registry) -> core::Result<std::unique_ptr<MarketSource>> {
    if (auto valid = options.validate(); !valid) return valid.error();
    kraken::FeedOptions feed = options;
    feed.exchange_clock = exchange_time;
    return std::unique_ptr<MarketSource>(
        std::make_unique<FeedSource>(kernel, std::move(feed), &registry, exchange_time));
  };
}

}  // namespace tg4::app
