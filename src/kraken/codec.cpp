#include "kraken/codec.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "kraken/codec_channels.hpp"
#include "kraken/codec_reader.hpp"

namespace tg4::kraken {

using detail::Path;

const char* channel_label(FrameKind kind) {
  switch (kind) {
    case FrameKind::kBook:
      return "book";
    case FrameKind::kTrade:
      return "trade";
    case FrameKind::kTicker:
      return "ticker";
    case FrameKind::kOhlc:
      return "ohlc";
    case FrameKind::kInstrument:
      return "instrument";
    case FrameKind::kStatus:
      return "status";
    case FrameKind::kHeartbeat:
      return "heartbeat";
    case FrameKind::kMethod:
      return "method";
    case FrameKind::kPong:
      return "pong";
    case FrameKind::kError:
      return "error";
    case FrameKind::kUnknownChannel:
      return "unknown";
  }
  return "unknown";
}

namespace {

enum class Header : std::uint8_t { kNone, kChannel, kMethod, kError };

std::optional<FrameKind> channel_kind(std::string_view name) {
  if (name == "book") return FrameKind::kBook;
  if (name == "trade") return FrameKind::kTrade;
  if (name == "ticker") return FrameKind::kTicker;
  if (name == "ohlc") return FrameKind::kOhlc;
  if (name == "instrument") return FrameKind::kInstrument;
  if (name == "status") return FrameKind::kStatus;
  if (name == "heartbeat") return FrameKind::kHeartbeat;
  return std::nullopt;
}

}  // namespace

struct FrameParser::Impl {
  simdjson::ondemand::parser parser;
  std::vector<char> buffer;
  detail::Reader reader;
  detail::ChannelData data;
  MethodResponse method;

  // Per-frame header, reset by parse().
  std::optional<FrameKind> kind;  // set once "channel" or "method" is known
  bool has_channel = false;
  bool has_method = false;
  bool has_error = false;
  bool snapshot = false;
  std::optional<bool> success;

  void reset_frame() {
    kind.reset();
    has_channel = has_method = has_error = snapshot = false;
    success.reset();
    data.clear();
    method.method.clear();
    method.error.clear();
    method.req_id.reset();
    method.channel.clear();
    method.symbol.clear();
    method.depth.reset();
    method.interval.reset();
    method.snapshot.reset();
    method.event_trigger.clear();
    method.warnings.clear();
    method.time_in = {};
    method.time_out = {};
  }

  bool read_result(detail::value& v, const Path& at);
  bool read_field(detail::field& f, const Path& root, bool& data_deferred);
  core::Result<FrameKind> run(std::string_view frame, core::Timestamp received, FrameSink& sink);
  core::Result<FrameKind> failure() { return core::Error::of(reader.error()); }
};

bool FrameParser::Impl::read_result(detail::value& v, const Path& at) {
  detail::object obj;
  if (!reader.get_object(v, at, obj)) return false;
  for (auto item : obj) {
    detail::field f;
    if (!reader.next(item, at, f)) return false;
    const auto key = f.key();
    if (key.unsafe_is_equal("channel")) {
      if (!reader.string(f.value(), at.field("channel"), method.channel)) return false;
    } else if (key.unsafe_is_equal("symbol")) {
      if (!reader.string(f.value(), at.field("symbol"), method.symbol)) return false;
    } else if (key.unsafe_is_equal("depth")) {
      int depth = 0;
      if (!reader.integer(f.value(), at.field("depth"), depth)) return false;
      method.depth = depth;
    } else if (key.unsafe_is_equal("interval")) {
      int interval = 0;
      if (!reader.integer(f.value(), at.field("interval"), interval)) return false;
      method.interval = interval;
    } else if (key.unsafe_is_equal("snapshot")) {
      bool snapshot_flag = false;
      if (!reader.boolean(f.value(), at.field("snapshot"), snapshot_flag)) return false;
      method.snapshot = snapshot_flag;
    } else if (key.unsafe_is_equal("event_trigger")) {
      if (!reader.string(f.value(), at.field("event_trigger"), method.event_trigger)) return false;
    } else if (key.unsafe_is_equal("warnings")) {
      const Path wp = at.field("warnings");
      detail::array list;
      if (!reader.get_array(f.value(), wp, list)) return false;
      int i = 0;
      for (auto element : list) {
        detail::value w;
        const Path ep = wp.element(i++);
        if (!reader.next(element, ep, w)) return false;
        if (!reader.string(w, ep, method.warnings.emplace_back())) return false;
      }
    }
  }
  return true;
}

// One top-level field. "data" is read at once when the channel is already known (the usual order);
// otherwise it is skipped and read on a second pass.
bool FrameParser::Impl::read_field(detail::field& f, const Path& root, bool& data_deferred) {
  const auto key = f.key();
  if (key.unsafe_is_equal("channel")) {
    std::string_view name;
    if (!reader.string(f.value(), root.field("channel"), name)) return false;
    has_channel = true;
    kind = channel_kind(name).value_or(FrameKind::kUnknownChannel);
  } else if (key.unsafe_is_equal("type")) {
    std::string_view type;
    if (!reader.string(f.value(), root.field("type"), type)) return false;
    snapshot = type == "snapshot";
  } else if (key.unsafe_is_equal("data")) {
    if (!has_channel) {
      data_deferred = true;
      return true;
    }
    return detail::read_channel_data(*kind, f.value(), root.field("data"), reader, data);
  } else if (key.unsafe_is_equal("method")) {
    if (!reader.string(f.value(), root.field("method"), method.method)) return false;
    has_method = true;
  } else if (key.unsafe_is_equal("error")) {
    if (!reader.string(f.value(), root.field("error"), method.error)) return false;
    has_error = true;
  } else if (key.unsafe_is_equal("success")) {
    bool ok = false;
    if (!reader.boolean(f.value(), root.field("success"), ok)) return false;
    success = ok;
  } else if (key.unsafe_is_equal("req_id")) {
    std::int64_t id = 0;
    if (!reader.int64(f.value(), root.field("req_id"), id)) return false;
    method.req_id = id;
  } else if (key.unsafe_is_equal("result")) {
    return read_result(f.value(), root.field("result"));
  } else if (key.unsafe_is_equal("symbol")) {
    if (!reader.string(f.value(), root.field("symbol"), method.symbol)) return false;
  } else if (key.unsafe_is_equal("time_in")) {
    return reader.time(f.value(), root.field("time_in"), method.time_in);
  } else if (key.unsafe_is_equal("time_out")) {
    return reader.time(f.value(), root.field("time_out"), method.time_out);
  }
  return true;  // other fields (ohlc's top-level timestamp, future additions) are not needed
}

core::Result<FrameKind> FrameParser::Impl::run(std::string_view frame, core::Timestamp received,
                                               FrameSink& sink) {
  reset_frame();
  const Path root{};
  simdjson::ondemand::document doc;
  detail::object obj;
  if (!detail::open_object(parser, buffer, frame, reader, doc, obj)) return failure();
  bool data_deferred = false;
  for (auto item : obj) {
    detail::field f;
    if (!reader.next(item, root, f) || !read_field(f, root, data_deferred)) return failure();
  }
  if (!detail::at_end(doc, reader)) return failure();
  if (data_deferred && kind) {
    // "data" came before "channel": read it again now that the channel is known. rewind() reuses
    // the string buffer, which is safe: the header was copied out above.
    doc.rewind();
    if (auto ec = doc.get_object().get(obj)) {
      reader.fail(root, ec);
      return failure();
    }
    for (auto item : obj) {
      detail::field f;
      if (!reader.next(item, root, f)) return failure();
      if (f.key().unsafe_is_equal("data") &&
          !detail::read_channel_data(*kind, f.value(), root.field("data"), reader, data)) {
        return failure();
      }
    }
  }

  if (has_channel) {
    if (*kind == FrameKind::kUnknownChannel) return *kind;
    if (*kind != FrameKind::kHeartbeat && !data.seen) {
      reader.missing(root, "data");
      return failure();
    }
    data.emit(*kind, snapshot, received, sink);
    if (*kind == FrameKind::kHeartbeat) sink.on_heartbeat();
    return *kind;
  }
  if (has_method || has_error) {
    method.success = success.value_or(!has_error) && !has_error;
    sink.on_method(method);
    if (!has_method) return FrameKind::kError;
    return method.method == "pong" ? FrameKind::kPong : FrameKind::kMethod;
  }
  reader.fail(root, "neither 'channel', 'method' nor 'error' present");
  return failure();
}

FrameParser::FrameParser() : impl_(std::make_unique<Impl>()) {}
FrameParser::~FrameParser() = default;
FrameParser::FrameParser(FrameParser&&) noexcept = default;
FrameParser& FrameParser::operator=(FrameParser&&) noexcept = default;

core::Result<FrameKind> FrameParser::parse(std::string_view frame, core::Timestamp received,
                                           FrameSink& sink) {
  ++stats_.frames;
  auto result = impl_->run(frame, received, sink);
  if (result) {
    ++stats_.by_kind[static_cast<std::size_t>(*result)];
  } else {
    ++stats_.parse_errors;
  }
  return result;
}

}  // namespace tg4::kraken
