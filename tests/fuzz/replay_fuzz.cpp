// libFuzzer target: arbitrary lines through FrameReplay (codec -> order books with checksum
// verification -> bar aggregation). Garbage and absurd values must be counted, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kraken/frame_replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tg4::kraken::FrameReplay replay;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::uint64_t line = 0;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    replay.feed(rest.substr(0, nl), ++line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  for (const auto& [symbol, book] : replay.books()) {
    (void)book.mid();
    (void)book.spread_bps();
    (void)book.imbalance();
    (void)book.depth_within(tg4::core::Decimal::must("0.01"));
  }
  (void)replay.summary_json();
  return 0;
}
