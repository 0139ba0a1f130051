#include "kraken/feed_metrics.hpp"

namespace tg4::kraken {
namespace {

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

}  // namespace

FeedMetrics::FeedMetrics(prometheus::Registry& registry, const std::string& feed)
    : parse_errors_(counter(registry, "tg4_feed_parse_errors_total", "Malformed WebSocket frames")
                        .Add({{"feed", feed}})),
      age_(prometheus::BuildHistogram()
               .Name("tg4_feed_message_age_seconds")
               .Help("Exchange timestamp to receipt, for frames that carry one")
               .Register(registry)
               .Add({{"feed", feed}},
                    prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      up_(prometheus::BuildGauge()
              .Name("tg4_feed_up")
              .Help("1 while the WebSocket feed is connected")
              .Register(registry)
              .Add({{"feed", feed}})),
      reconnects_(counter(registry, "tg4_feed_reconnects_total",
                          "Reconnect attempts after a lost connection")
                      .Add({{"feed", feed}})),
      stalls_(counter(registry, "tg4_feed_stalls_total",
                      "Connections with no frame within the deadline")
                  .Add({{"feed", feed}})),
      rate_limited_(
          counter(registry, "tg4_feed_rate_limited_total", "Requests answered 'Exceeded msg rate'")
              .Add({{"feed", feed}})),
      resubscribe_checksum_(
          counter(registry, "tg4_feed_resubscribes_total", "Book resubscriptions by reason")
              .Add({{"feed", feed}, {"reason", "checksum"}})),
      resubscribe_other_(
          counter(registry, "tg4_feed_resubscribes_total", "Book resubscriptions by reason")
              .Add({{"feed", feed}, {"reason", "other"}})),
      subscribe_errors_(counter(registry, "tg4_feed_subscribe_errors_total",
                                "Subscriptions refused for a reason other than the message rate")
                            .Add({{"feed", feed}})),
      reconnect_seconds_(
          prometheus::BuildHistogram()
              .Name("tg4_feed_reconnect_seconds")
              .Help("From a lost connection to the first book snapshot on the new one")
              .Register(registry)
              .Add({{"feed", feed}},
                   prometheus::Histogram::BucketBoundaries{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60})) {
  auto& family =
      counter(registry, "tg4_feed_messages_total", "WebSocket frames received by channel");
  for (std::size_t i = 0; i < kFrameKinds; ++i) {
    messages_[i] =
        &family.Add({{"feed", feed}, {"channel", channel_label(static_cast<FrameKind>(i))}});
  }
}

}  // namespace tg4::kraken
