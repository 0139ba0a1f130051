#pragma once
// Batch: rows grouped by table, the unit the writer commits in one transaction and spools as one
// record. Rows keep their arrival order inside each table.
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "storage/records.hpp"

namespace tg4::storage {

class Batch {
 public:
  using Tables = RowVariantOf<RowTypes>::tables;

  template <typename RowT>
  void add(RowT row) {
    std::get<std::vector<RowT>>(tables_).push_back(std::move(row));
    ++size_;
  }
  void add(Row row) {
    std::visit([this](auto&& r) { add(std::move(r)); }, std::move(row));
  }

  template <typename RowT>
  const std::vector<RowT>& rows() const {
    return std::get<std::vector<RowT>>(tables_);
  }
  template <typename RowT>
  std::vector<RowT>& rows() {
    return std::get<std::vector<RowT>>(tables_);
  }

  // Calls f(const std::vector<RowT>&) for each table that has rows, in RowTypes order.
  template <typename F>
  void for_each_table(F&& f) const {
    std::apply([&](const auto&... v) { ((v.empty() ? void() : f(v)), ...); }, tables_);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    std::apply([](auto&... v) { (v.clear(), ...); }, tables_);
    size_ = 0;
  }

 private:
  Tables tables_;
  std::size_t size_ = 0;
};

// The spool's binary form of a batch: a format byte, then per table its name, row count, field
// count and rows. Decoding checks every length, so a damaged file is an Error; a batch of an older
// build (fewer trailing columns) decodes with those columns at their defaults, one of a newer build
// (more) is an Error.
std::string encode_batch(const Batch& batch);
core::Result<Batch> decode_batch(std::string_view bytes);

}  // namespace tg4::storage
