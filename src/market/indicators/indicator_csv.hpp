#pragma once
// The `tg4 indicators` output (SPEC §12): `timestamp` (Unix seconds) then the kIndicatorColumns,
// comma-separated; an empty cell while an indicator warms up. Numbers are written in the shortest
// form that reads back to the same double.
#include <string>

#include "market/indicators/indicator_set.hpp"

namespace tg4::market {

std::string indicator_csv_header();  // with the trailing newline
// Appends one row for the snapshot (with the trailing newline) to `out`.
void append_indicator_csv_row(const IndicatorSnapshot& snapshot, std::string& out);

}  // namespace tg4::market
