#pragma once
// The report page's assets, compiled in by src/backtest/embed_report.cmake (generated
// embedded_report_assets.cpp), so `tg4 backtest` writes report.html without the source tree.
#include <string_view>

namespace tg4::backtest::detail {

std::string_view report_template();       // report/template.html
std::string_view report_chart_library();  // lightweight-charts standalone build; empty if absent
std::string_view report_chart_library_version_text();  // its package.json version; empty if absent

}  // namespace tg4::backtest::detail
