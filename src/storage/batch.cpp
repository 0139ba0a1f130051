#include "storage/batch.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace tg4::storage {
namespace {

// Format 2 writes each table's field count, so a batch spooled by an older build (fewer columns:
// a column added since is appended to its table's field list) still decodes, the missing trailing
// fields keeping their defaults. Format 1 had no counts; it was last written before the orders
// table gained `leverage`, the one column added since.
constexpr std::uint8_t kFormat = 2;
constexpr std::uint8_t kFormatWithoutFieldCounts = 1;

template <typename RowT>
std::uint32_t field_count() {
  std::uint32_t n = 0;
  RowT row{};
  TableTraits<RowT>::fields(row, [&](std::string_view, const auto&) { ++n; });
  return n;
}

// What a format-1 batch holds of a table: every field of this build's list but those added since.
template <typename RowT>
std::uint32_t format1_field_count() {
  const std::uint32_t now = field_count<RowT>();
  return TableTraits<RowT>::kName == "orders" ? now - 1 : now;  // before orders.leverage
}

// Little-endian primitives. The spool is read back by the same program on the same machine, but a
// fixed byte order keeps the file meaningful if it is copied elsewhere for inspection.
class Out {
 public:
  explicit Out(std::string& s) : s_(s) {}
  void u8(std::uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void bytes(std::string_view b) {
    u32(static_cast<std::uint32_t>(b.size()));
    s_.append(b);
  }

  void put(const std::string& v) { bytes(v); }
  void put(core::Decimal v) {
    const auto raw = static_cast<unsigned __int128>(v.raw());
    u64(static_cast<std::uint64_t>(raw));
    u64(static_cast<std::uint64_t>(raw >> 64));
  }
  void put(core::Timestamp v) { u64(static_cast<std::uint64_t>(v.ns)); }
  void put(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void put(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void put(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  void put(bool v) { u8(v ? 1 : 0); }
  void put(core::Side v) { u8(static_cast<std::uint8_t>(v)); }
  void put(core::OrderType v) { u8(static_cast<std::uint8_t>(v)); }
  void put(core::OrderStatus v) { u8(static_cast<std::uint8_t>(v)); }

 private:
  std::string& s_;
};

class In {
 public:
  explicit In(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == s_.size(); }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(s_[pos_++]);
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(s_[pos_++])) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    if (!need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(s_[pos_++])) << (8 * i);
    return v;
  }
  std::string_view bytes() {
    const std::uint32_t n = u32();
    if (!need(n)) return {};
    const auto out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  void get(std::string& v) { v.assign(bytes()); }
  void get(core::Decimal& v) {
    const std::uint64_t lo = u64();
    const std::uint64_t hi = u64();
    v = core::Decimal::from_raw(
        static_cast<__int128>((static_cast<unsigned __int128>(hi) << 64) | lo));
  }
  void get(core::Timestamp& v) { v.ns = static_cast<std::int64_t>(u64()); }
  void get(std::int64_t& v) { v = static_cast<std::int64_t>(u64()); }
  void get(std::int32_t& v) { v = static_cast<std::int32_t>(u32()); }
  void get(double& v) { v = std::bit_cast<double>(u64()); }
  void get(bool& v) { v = u8() != 0; }
  void get(core::Side& v) { v = enum_of<core::Side>(1); }
  void get(core::OrderType& v) { v = enum_of<core::OrderType>(6); }
  void get(core::OrderStatus& v) { v = enum_of<core::OrderStatus>(6); }

 private:
  bool need(std::size_t n) {
    if (!ok_ || s_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <typename E>
  E enum_of(std::uint8_t max) {
    const std::uint8_t v = u8();
    if (v > max) ok_ = false;
    return static_cast<E>(v > max ? 0 : v);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string encode_batch(const Batch& batch) {
  std::string bytes;
  bytes.reserve(64 + batch.size() * 96);
  Out out(bytes);
  out.u8(kFormat);
  std::uint32_t tables = 0;
  batch.for_each_table([&](const auto&) { ++tables; });
  out.u32(tables);
  batch.for_each_table([&](const auto& rows) {
    using RowT = typename std::remove_cvref_t<decltype(rows)>::value_type;
    out.bytes(TableTraits<RowT>::kName);
    out.u32(static_cast<std::uint32_t>(rows.size()));
    out.u32(field_count<RowT>());
    for (const auto& row : rows) {
      TableTraits<RowT>::fields(row, [&](std::string_view, const auto& v) { out.put(v); });
    }
  });
  return bytes;
}

core::Result<Batch> decode_batch(std::string_view bytes) {
  In in(bytes);
  const std::uint8_t format = in.u8();
  if (!in.ok() || (format != kFormat && format != kFormatWithoutFieldCounts)) {
    return core::Error::of(fmt::format("spooled batch has format {} (this build reads {} and {})", format,
                                       kFormatWithoutFieldCounts, kFormat));
  }
  Batch batch;
  const std::uint32_t tables = in.u32();
  for (std::uint32_t t = 0; t < tables && in.ok(); ++t) {
    const std::string name(in.bytes());
    const std::uint32_t count = in.u32();
    bool known = false;
    std::string refused;
    for_each_row_type([&](auto tag) {
      using RowT = typename decltype(tag)::type;
      if (known || name != TableTraits<RowT>::kName) return;
      known = true;
      const std::uint32_t written = format == kFormat ? in.u32() : format1_field_count<RowT>();
      if (written > field_count<RowT>()) {
        refused = fmt::format("spooled batch has {} fields for table '{}', this build knows {} (written by a newer build)",
                              written, name, field_count<RowT>());
        return;
      }
      for (std::uint32_t i = 0; i < count && in.ok(); ++i) {
        RowT row{};
        std::uint32_t field = 0;
        TableTraits<RowT>::fields(row, [&](std::string_view, auto& v) {
          if (field++ < written) in.get(v);  // the rest keep the row's defaults
        });
        batch.add(std::move(row));
      }
    });
    if (!known) return core::Error::of(fmt::format("spooled batch names unknown table '{}'", name));
    if (!refused.empty()) return core::Error::of(refused);
  }
  if (!in.ok()) return core::Error::of("spooled batch is truncated or malformed");
  if (!in.at_end()) return core::Error::of("spooled batch has trailing bytes");
  return batch;
}

}  // namespace tg4::storage
