#pragma once
// `tg4 config check`'s look at the strategy section through the strategy registry: the config
// schema only knows that strategy.name is an identifier and strategy.params a map, so an unknown
// strategy, a misspelt parameter (`fats: 3`) or an out-of-range value would pass the check and
// stop paper or live at start-up. Each problem is a ConfigIssue naming the file, the line (when
// the key is in the file) and the key (strategy.name, strategy.params.fats).
#include <string>
#include <vector>

#include "core/config.hpp"

namespace tg4::app {

// `yaml_text` is the file's text (for the lines of the keys); `file` names it in the issues.
std::vector<core::ConfigIssue> check_strategy_section(const core::StrategySection& section,
                                                      const std::string& yaml_text,
                                                      const std::string& file);

}  // namespace tg4::app
