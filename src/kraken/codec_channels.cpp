#include "kraken/codec_channels.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace tg4::kraken::detail {
namespace {

template <typename Fn>
bool for_each_field(Reader& r, value& v, const Path& at, Fn&& fn) {
  object obj;
  if (!r.get_object(v, at, obj)) return false;
  for (auto item : obj) {
    field f;
    if (!r.next(item, at, f) || !fn(f)) return false;
  }
  return true;
}

template <typename Fn>
bool for_each_element(Reader& r, value& v, const Path& at, Fn&& fn) {
  array list;
  if (!r.get_array(v, at, list)) return false;
  int i = 0;
  for (auto item : list) {
    const Path element_path = at.element(i++);
    value element;
    if (!r.next(item, element_path, element) || !fn(element, element_path)) return false;
  }
  return true;
}

// Required members of an object, checked once it has been read.
class Required {
 public:
  void mark(unsigned bit) { seen_ |= 1U << bit; }
  // Names in bit order; reports the first one missing.
  template <std::size_t N>
  bool check(Reader& r, const Path& at, const std::array<const char*, N>& names) const {
    for (std::size_t i = 0; i < N; ++i) {
      if ((seen_ & (1U << i)) == 0) return r.missing(at, names[i]);
    }
    return true;
  }

 private:
  unsigned seen_ = 0;
};

bool read_side(Reader& r, value& v, const Path& at, std::vector<core::PriceLevel>& out,
               std::int8_t& price_decimals, std::int8_t& qty_decimals) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::PriceLevel& level = out.emplace_back();
    Required req;
    const bool ok = for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      int decimals = 0;
      if (key.unsafe_is_equal("price")) {
        req.mark(0);
        if (!r.decimal(f.value(), ep.field("price"), level.price, &decimals)) return false;
        price_decimals = std::max<std::int8_t>(price_decimals, static_cast<std::int8_t>(decimals));
      } else if (key.unsafe_is_equal("qty")) {
        req.mark(1);
        if (!r.decimal(f.value(), ep.field("qty"), level.qty, &decimals)) return false;
        if (!level.qty.is_zero()) {
          qty_decimals = std::max<std::int8_t>(qty_decimals, static_cast<std::int8_t>(decimals));
        }
      }
      return true;
    });
    if (!ok || !req.check(r, ep, std::array{"price", "qty"})) return false;
    if (level.price.is_negative() || level.qty.is_negative()) {
      return r.fail(ep, "negative price or qty");
    }
    return true;
  });
}

bool read_book(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::BookDelta& b = out.books.next();
    b.symbol.clear();
    b.bids.clear();
    b.asks.clear();
    b.checksum = 0;
    b.price_decimals = -1;
    b.qty_decimals = -1;
    b.exchange_time = {};
    Required req;
    const bool ok = for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      if (key.unsafe_is_equal("symbol")) {
        req.mark(0);
        return r.string(f.value(), ep.field("symbol"), b.symbol);
      }
      if (key.unsafe_is_equal("bids")) {
        return read_side(r, f.value(), ep.field("bids"), b.bids, b.price_decimals, b.qty_decimals);
      }
      if (key.unsafe_is_equal("asks")) {
        return read_side(r, f.value(), ep.field("asks"), b.asks, b.price_decimals, b.qty_decimals);
      }
      if (key.unsafe_is_equal("checksum")) {
        req.mark(1);
        std::uint64_t checksum = 0;
        if (!r.uint64(f.value(), ep.field("checksum"), checksum)) return false;
        if (checksum > 0xFFFFFFFFULL) return r.fail(ep.field("checksum"), "larger than 32 bits");
        b.checksum = static_cast<std::uint32_t>(checksum);
        return true;
      }
      if (key.unsafe_is_equal("timestamp"))
        return r.time(f.value(), ep.field("timestamp"), b.exchange_time);
      return true;
    });
    return ok && req.check(r, ep, std::array{"symbol", "checksum"});
  });
}

bool parse_side(std::string_view text, core::Side& side) {
  if (text == "buy") {
    side = core::Side::kBuy;
  } else if (text == "sell") {
    side = core::Side::kSell;
  } else {
    return false;
  }
  return true;
}

core::OrderType order_type(std::string_view text) {
  for (const auto type :
       {core::OrderType::kMarket, core::OrderType::kLimit, core::OrderType::kStopLoss,
        core::OrderType::kTakeProfit, core::OrderType::kStopLossLimit,
        core::OrderType::kTakeProfitLimit, core::OrderType::kTrailingStop}) {
    if (text == core::to_string(type)) return type;
  }
  return core::OrderType::kMarket;  // a type added later is still a trade: keep it
}

bool read_trades(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::Trade& t = out.trades.next();
    t.symbol.clear();
    t.ord_type = core::OrderType::kMarket;
    t.trade_id = 0;
    Required req;
    const bool ok = for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      if (key.unsafe_is_equal("symbol")) {
        req.mark(0);
        return r.string(f.value(), ep.field("symbol"), t.symbol);
      }
      if (key.unsafe_is_equal("side")) {
        req.mark(1);
        std::string_view side;
        if (!r.string(f.value(), ep.field("side"), side)) return false;
        return parse_side(side, t.side) ||
               r.fail(ep.field("side"), "expected \"buy\" or \"sell\"", side.data());
      }
      if (key.unsafe_is_equal("price")) {
        req.mark(2);
        return r.decimal(f.value(), ep.field("price"), t.price);
      }
      if (key.unsafe_is_equal("qty")) {
        req.mark(3);
        return r.decimal(f.value(), ep.field("qty"), t.qty);
      }
      if (key.unsafe_is_equal("timestamp")) {
        req.mark(4);
        return r.time(f.value(), ep.field("timestamp"), t.time);
      }
      if (key.unsafe_is_equal("ord_type")) {
        std::string_view type;
        if (!r.string(f.value(), ep.field("ord_type"), type)) return false;
        t.ord_type = order_type(type);
        return true;
      }
      if (key.unsafe_is_equal("trade_id"))
        return r.int64(f.value(), ep.field("trade_id"), t.trade_id);
      return true;
    });
    return ok && req.check(r, ep, std::array{"symbol", "side", "price", "qty", "timestamp"});
  });
}

bool read_ticker(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::Ticker& t = out.tickers.next();
    t = core::Ticker{};
    static constexpr std::array<std::pair<const char*, core::Decimal core::Ticker::*>, 11> kFields{{
        {"bid", &core::Ticker::bid},
        {"bid_qty", &core::Ticker::bid_qty},
        {"ask", &core::Ticker::ask},
        {"ask_qty", &core::Ticker::ask_qty},
        {"last", &core::Ticker::last},
        {"volume", &core::Ticker::volume},
        {"vwap", &core::Ticker::vwap},
        {"low", &core::Ticker::low},
        {"high", &core::Ticker::high},
        {"change", &core::Ticker::change},
        {"change_pct", &core::Ticker::change_pct},
    }};
    Required req;
    const bool ok = for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      if (key.unsafe_is_equal("symbol")) {
        req.mark(0);
        return r.string(f.value(), ep.field("symbol"), t.symbol);
      }
      for (const auto& [name, member] : kFields) {
        if (key.unsafe_is_equal(name)) return r.decimal(f.value(), ep.field(name), t.*member);
      }
      return true;
    });
    return ok && req.check(r, ep, std::array{"symbol"});
  });
}

bool read_ohlc(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::Bar& b = out.ohlcs.next().bar;
    b = core::Bar{};
    static constexpr std::array<std::pair<const char*, core::Decimal core::Bar::*>, 6> kFields{{
        {"open", &core::Bar::open},
        {"high", &core::Bar::high},
        {"low", &core::Bar::low},
        {"close", &core::Bar::close},
        {"volume", &core::Bar::volume},
        {"vwap", &core::Bar::vwap},
    }};
    Required req;
    const bool ok = for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      if (key.unsafe_is_equal("symbol")) {
        req.mark(0);
        return r.string(f.value(), ep.field("symbol"), b.symbol);
      }
      if (key.unsafe_is_equal("interval_begin")) {
        req.mark(1);
        return r.time(f.value(), ep.field("interval_begin"), b.open_time);
      }
      if (key.unsafe_is_equal("interval")) {
        req.mark(2);
        return r.integer(f.value(), ep.field("interval"), b.interval_minutes);
      }
      if (key.unsafe_is_equal("trades")) return r.int64(f.value(), ep.field("trades"), b.trades);
      for (std::size_t i = 0; i < kFields.size(); ++i) {
        if (key.unsafe_is_equal(kFields[i].first)) {
          if (i < 5) req.mark(static_cast<unsigned>(3 + i));
          return r.decimal(f.value(), ep.field(kFields[i].first), b.*kFields[i].second);
        }
      }
      return true;
    });
    return ok && req.check(r, ep,
                           std::array{"symbol", "interval_begin", "interval", "open", "high", "low",
                                      "close", "volume"});
  });
}

bool read_pair(Reader& r, value& v, const Path& at, core::Instrument& inst) {
  Required req;
  bool has_price_increment = false;
  const bool ok = for_each_field(r, v, at, [&](field& f) {
    const auto key = f.key();
    if (key.unsafe_is_equal("symbol")) {
      req.mark(0);
      return r.string(f.value(), at.field("symbol"), inst.symbol);
    }
    if (key.unsafe_is_equal("base")) return r.string(f.value(), at.field("base"), inst.base);
    if (key.unsafe_is_equal("quote")) return r.string(f.value(), at.field("quote"), inst.quote);
    if (key.unsafe_is_equal("status")) return r.string(f.value(), at.field("status"), inst.status);
    if (key.unsafe_is_equal("price_precision")) {
      return r.integer(f.value(), at.field("price_precision"), inst.price_precision);
    }
    if (key.unsafe_is_equal("qty_precision")) {
      return r.integer(f.value(), at.field("qty_precision"), inst.qty_precision);
    }
    if (key.unsafe_is_equal("price_increment")) {
      has_price_increment = true;
      return r.decimal(f.value(), at.field("price_increment"), inst.price_increment);
    }
    if (key.unsafe_is_equal("tick_size")) {
      // the older name of price_increment: used only when the newer one is absent
      core::Decimal tick;
      if (!r.decimal(f.value(), at.field("tick_size"), tick)) return false;
      if (!has_price_increment) inst.price_increment = tick;
      return true;
    }
    if (key.unsafe_is_equal("qty_increment")) {
      return r.decimal(f.value(), at.field("qty_increment"), inst.qty_increment);
    }
    if (key.unsafe_is_equal("qty_min"))
      return r.decimal(f.value(), at.field("qty_min"), inst.qty_min);
    if (key.unsafe_is_equal("cost_min"))
      return r.decimal(f.value(), at.field("cost_min"), inst.cost_min);
    if (key.unsafe_is_equal("marginable"))
      return r.boolean(f.value(), at.field("marginable"), inst.marginable);
    return true;
  });
  if (!ok || !req.check(r, at, std::array{"symbol"})) return false;
  if (inst.base.empty() || inst.quote.empty()) {
    if (const auto split = core::split_symbol(inst.symbol)) {
      if (inst.base.empty()) inst.base = split->first;
      if (inst.quote.empty()) inst.quote = split->second;
    }
  }
  if (inst.price_precision < 0 || inst.price_precision > 18 || inst.qty_precision < 0 ||
      inst.qty_precision > 18) {
    return r.fail(at, "precision outside 0..18");
  }
  return true;
}

bool read_instrument(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_field(r, v, at, [&](field& f) {
    if (!f.key().unsafe_is_equal("pairs")) return true;  // assets: not needed by the kernel
    return for_each_element(r, f.value(), at.field("pairs"), [&](value& element, const Path& ep) {
      core::InstrumentUpdate& update = out.instruments.next();
      update.instrument = core::Instrument{};
      return read_pair(r, element, ep, update.instrument);
    });
  });
}

bool read_status(Reader& r, value& v, const Path& at, ChannelData& out) {
  return for_each_element(r, v, at, [&](value& element, const Path& ep) {
    core::VenueStatus& s = out.statuses.next();
    s = core::VenueStatus{};
    return for_each_field(r, element, ep, [&](field& f) {
      const auto key = f.key();
      if (key.unsafe_is_equal("system")) return r.string(f.value(), ep.field("system"), s.system);
      if (key.unsafe_is_equal("api_version")) {
        return r.string(f.value(), ep.field("api_version"), s.api_version);
      }
      if (key.unsafe_is_equal("connection_id")) {
        return r.uint64(f.value(), ep.field("connection_id"), s.connection_id);
      }
      if (key.unsafe_is_equal("version"))
        return r.string(f.value(), ep.field("version"), s.version);
      return true;
    });
  });
}

}  // namespace

void ChannelData::clear() {
  books.clear();
  trades.clear();
  tickers.clear();
  ohlcs.clear();
  instruments.clear();
  statuses.clear();
  seen = false;
}

void ChannelData::emit(FrameKind kind, bool snapshot, core::Timestamp received, FrameSink& sink) {
  switch (kind) {
    case FrameKind::kBook:
      for (std::size_t i = 0; i < books.size; ++i) {
        auto& b = books.items[i];
        b.is_snapshot = snapshot;
        b.received = received;
        sink.on_book(b);
      }
      break;
    case FrameKind::kTrade:
      for (std::size_t i = 0; i < trades.size; ++i) {
        trades.items[i].received = received;
        sink.on_trade(trades.items[i]);
      }
      break;
    case FrameKind::kTicker:
      for (std::size_t i = 0; i < tickers.size; ++i) {
        tickers.items[i].received = received;
        sink.on_ticker(tickers.items[i]);
      }
      break;
    case FrameKind::kOhlc:
      for (std::size_t i = 0; i < ohlcs.size; ++i) {
        ohlcs.items[i].received = received;
        sink.on_ohlc(ohlcs.items[i]);
      }
      break;
    case FrameKind::kInstrument:
      for (std::size_t i = 0; i < instruments.size; ++i) sink.on_instrument(instruments.items[i]);
      break;
    case FrameKind::kStatus:
      for (std::size_t i = 0; i < statuses.size; ++i) sink.on_status(statuses.items[i]);
      break;
    default:
      break;
  }
}

bool read_channel_data(FrameKind kind, value& v, const Path& at, Reader& reader, ChannelData& out) {
  out.seen = true;
  switch (kind) {
    case FrameKind::kBook:
      return read_book(reader, v, at, out);
    case FrameKind::kTrade:
      return read_trades(reader, v, at, out);
    case FrameKind::kTicker:
      return read_ticker(reader, v, at, out);
    case FrameKind::kOhlc:
      return read_ohlc(reader, v, at, out);
    case FrameKind::kInstrument:
      return read_instrument(reader, v, at, out);
    case FrameKind::kStatus:
      return read_status(reader, v, at, out);
    default:
      return true;  // heartbeat and unknown channels: nothing to read
  }
}

}  // namespace tg4::kraken::detail
