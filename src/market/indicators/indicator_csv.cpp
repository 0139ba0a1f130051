#include "market/indicators/indicator_csv.hpp"

#include <fmt/format.h>

#include <iterator>

namespace tg4::market {

std::string indicator_csv_header() {
  std::string header = "timestamp";
  for (const IndicatorColumn& column : kIndicatorColumns) {
    header += ',';
    header += column.name;
  }
  header += '\n';
  return header;
}

void append_indicator_csv_row(const IndicatorSnapshot& snapshot, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{}", snapshot.time_s);
  for (const IndicatorColumn& column : kIndicatorColumns) {
    out += ',';
    if (const auto& value = snapshot.*column.field)
      fmt::format_to(std::back_inserter(out), "{}", *value);
  }
  out += '\n';
}

}  // namespace tg4::market
