#include "app/feed_source.hpp"

#include "core/logging.hpp"

namespace tg4::app {
namespace {

class FeedSource final : public MarketSource {
 public:
  FeedSource(kernel::Kernel& kernel, kraken::FeedOptions options, prometheus::Registry* registry)
      : feed_(std::move(options), [&kernel](core::MarketEvent event) { kernel.post(std::move(event)); }, registry,
              core::logger("feed")) {}
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

MarketSourceFactory kraken_feed_source(kraken::FeedOptions options) {
  return [options = std::move(options)](kernel::Kernel& kernel,
                                        prometheus::Registry& registry) -> core::Result<std::unique_ptr<MarketSource>> {
    if (auto valid = options.validate(); !valid) return valid.error();
    return std::unique_ptr<MarketSource>(std::make_unique<FeedSource>(kernel, options, &registry));
  };
}

}  // namespace tg4::app
