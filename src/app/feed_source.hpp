#pragma once
// The Kraken public feed (live Kraken or `tg4 sim`) as a node's market source: every event it parses
// is posted to the kernel queue; book resubscriptions requested by the pipeline go back to it.
#include <memory>

#include "app/node.hpp"
#include "core/config.hpp"
#include "kraken/feed.hpp"

namespace tg4::app {

// Feed options from the config's `feed` section and symbols; `url` overrides feed.url when set.
kraken::FeedOptions feed_options_from_config(const core::Config& config, const std::string& url = {});

// A factory for NodeOptions::market_source. `exchange_time`: events carry only exchange time (for
// NodeOptions::event_time_clock), never the wall-clock time they arrived.
MarketSourceFactory kraken_feed_source(kraken::FeedOptions options, bool exchange_time = false);

}  // namespace tg4::app
