#pragma once
// NAME=VALUE flags (--param, --balance): split, and for --param gathered into the strategy's
// parameter map. A --param key given twice is an error naming it: with "last wins", a sweep script
// that appends `--param fast=7` to a line already holding `--param fast=5` would run something
// other than what either value says, without a word.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tg4::app {

// "k=v" -> {k, v}; "<flag> <text>: expected NAME=VALUE" when there is no '=' or no name.
core::Result<std::pair<std::string, std::string>> key_value(const std::string& text,
                                                            const char* flag);

// Every `--param k=v` over `params` (the config's, replaced key by key); "--param fast given twice
// (5, then 7)" when a key repeats on the command line.
core::Status apply_param_flags(const std::vector<std::string>& texts,
                               std::map<std::string, std::string>& params);

}  // namespace tg4::app
