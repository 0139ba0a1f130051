#include "storage/store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "market/bar_aggregator.hpp"
#include "storage/postgres_store.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/store_url.hpp"

namespace tg4::storage {

core::Result<int> parse_timeframe(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, int>, 8> kNames{{{"1m", 1},
                                                                           {"5m", 5},
                                                                           {"15m", 15},
                                                                           {"30m", 30},
                                                                           {"1h", 60},
                                                                           {"4h", 240},
                                                                           {"1d", 1440},
                                                                           {"1w", 10080}}};
  for (const auto& [name, minutes] : kNames) {
    if (text == name) return minutes;
  }
  int minutes = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), minutes);
  if (ec == std::errc{} && ptr == text.data() + text.size() &&
      std::find(kTimeframes.begin(), kTimeframes.end(), minutes) != kTimeframes.end()) {
    return minutes;
  }
  return core::Error::of(
      fmt::format("timeframe '{}' is not one of 1m 5m 15m 30m 1h 4h 1d 1w", text));
}

std::string timeframe_name(int minutes) {
  if (minutes % 10080 == 0) return fmt::format("{}w", minutes / 10080);
  if (minutes % 1440 == 0) return fmt::format("{}d", minutes / 1440);
  if (minutes % 60 == 0) return fmt::format("{}h", minutes / 60);
  return fmt::format("{}m", minutes);
}

core::Timestamp bucket_start(core::Timestamp t, int minutes) {
  return market::bucket_start(t, minutes);  // one definition of the buckets for bars and storage
}

void set_rolled_vwap(core::Bar& b, core::Decimal vwap_volume) {
  if (b.volume.is_zero()) {
    b.vwap = core::Decimal::zero();
  } else if (!b.quote_volume.is_zero()) {
    b.vwap = core::Decimal::div(b.quote_volume, b.volume, core::Rounding::kHalfEven);
  } else {
    b.vwap = core::Decimal::div(vwap_volume, b.volume, core::Rounding::kHalfEven);
  }
}

std::vector<core::Bar> roll_up(const std::vector<core::Bar>& minute_bars, int minutes) {
  std::vector<core::Bar> out;
  core::Decimal vwap_volume;  // Σ vwap·volume, for bars whose producer left quote_volume at zero
  auto finish = [&] {
    if (!out.empty()) set_rolled_vwap(out.back(), vwap_volume);
  };
  for (const auto& m : minute_bars) {
    const core::Timestamp bucket = bucket_start(m.open_time, minutes);
    if (out.empty() || out.back().open_time != bucket) {
      finish();
      core::Bar b = m;
      b.interval_minutes = minutes;
      b.open_time = bucket;
      out.push_back(std::move(b));
      vwap_volume = core::Decimal::mul(m.vwap, m.volume, core::Rounding::kHalfEven);
      continue;
    }
    auto& b = out.back();
    b.high = core::max(b.high, m.high);
    b.low = core::min(b.low, m.low);
    b.close = m.close;
    b.volume += m.volume;
    b.quote_volume += m.quote_volume;
    b.trades += m.trades;
    vwap_volume += core::Decimal::mul(m.vwap, m.volume, core::Rounding::kHalfEven);
  }
  finish();
  return out;
}

core::Result<std::unique_ptr<Store>> open_store(std::string_view url, const OpenOptions& options) {
  auto parsed = parse_store_url(url);
  if (!parsed) return parsed.error();
  auto log = options.log ? options.log : spdlog::default_logger();
  std::unique_ptr<Store> store;
  if (parsed->backend == Backend::kSqlite) {
    auto opened = options.read_only ? SqliteStore::open_read_only(*parsed, log)
                                    : SqliteStore::open(*parsed, log, options.create);
    if (!opened) return opened.error();
    store = std::move(*opened);
  } else {
    auto opened = PostgresStore::open(*parsed, options.connect_timeout, log);
    if (!opened) return opened.error();
    store = std::move(*opened);
  }
  if (options.migrate && !options.read_only) {
    auto report = store->migrate(false);
    if (!report) return report.error();
  }
  return store;
}

}  // namespace tg4::storage
