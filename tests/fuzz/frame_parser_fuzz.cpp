// libFuzzer target: one arbitrary frame through FrameParser. It must return a kind or an Error, never
// crash, hang or read out of bounds; a frame that parsed must parse again the same way (the parser's
// reused buffers hold no state across frames).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kraken/codec.hpp"

namespace {

struct CountingSink : tg4::kraken::FrameSink {
  std::size_t events = 0;
  void on_book(const tg4::core::BookDelta& d) override { events += 1 + d.bids.size() + d.asks.size(); }
  void on_trade(const tg4::core::Trade&) override { ++events; }
  void on_ticker(const tg4::core::Ticker&) override { ++events; }
  void on_ohlc(const tg4::core::Ohlc&) override { ++events; }
  void on_instrument(const tg4::core::InstrumentUpdate&) override { ++events; }
  void on_status(const tg4::core::VenueStatus&) override { ++events; }
  void on_heartbeat() override { ++events; }
  void on_method(const tg4::kraken::MethodResponse&) override { ++events; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tg4::kraken::FrameParser parser;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  CountingSink first;
  const auto a = parser.parse(frame, {}, first);
  CountingSink second;
  const auto b = parser.parse(frame, {}, second);
  if (a.ok() != b.ok() || first.events != second.events || (a.ok() && *a != *b)) std::abort();
  if (!a.ok() && first.events != 0) std::abort();  // a malformed frame delivers nothing
  return 0;
}
