#pragma once
// Internal to the codec: the `data` payload of each public channel, read into reused event objects
// (vectors keep their capacity across frames) and delivered to the sink only once the whole frame
// has parsed, so a malformed frame delivers nothing.
#include <cstddef>
#include <vector>

#include "core/events.hpp"
#include "kraken/codec.hpp"
#include "kraken/codec_reader.hpp"

namespace tg4::kraken::detail {

// A vector used as a pool: the first `size` elements are this frame's, the rest keep capacity.
template <typename T>
struct Pool {
  std::vector<T> items;
  std::size_t size = 0;

  T& next() {
    if (size == items.size()) items.emplace_back();
    return items[size++];
  }
  void clear() { size = 0; }
};

struct ChannelData {
  Pool<core::BookDelta> books;
  Pool<core::Trade> trades;
  Pool<core::Ticker> tickers;
  Pool<core::Ohlc> ohlcs;
  Pool<core::InstrumentUpdate> instruments;
  Pool<core::VenueStatus> statuses;
  bool seen = false;  // the frame had a "data" member

  void clear();
  void emit(FrameKind kind, bool snapshot, core::Timestamp received, FrameSink& sink);
};

// Reads `data` of a frame of `kind` (a known channel); false with the error recorded in `reader`.
bool read_channel_data(FrameKind kind, value& v, const Path& at, Reader& reader, ChannelData& out);

}  // namespace tg4::kraken::detail
