#pragma once
// NAME=VALUE flags (--param, --balance): split into a map, and for --param laid over the strategy's
// parameters. A key given twice is an error naming it: with "last wins", a sweep script that
// appends `--param fast=7` to a line already holding `--param fast=5` would run something other
// than what either value says, without a word.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tg4::app {

// Every `<flag> k=v` as a map: "<flag> <text>: expected NAME=VALUE" for a text without '=' or
// name, "<flag> k given twice (5, then 7)" when a key repeats.
core::Result<std::map<std::string, std::string>> name_values(const std::vector<std::string>& texts,
                                                             const char* flag);

// Every `--param k=v` over `params` (the config's, replaced key by key); "--param fast given twice
// (5, then 7)" when a key repeats on the command line.
core::Status apply_param_flags(const std::vector<std::string>& texts,
                               std::map<std::string, std::string>& params);

}  // namespace tg4::app
