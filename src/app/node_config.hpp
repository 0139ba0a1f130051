#pragma once
// From the typed configuration (core::Config) and the global flags to the options of the modules a
// node is built from. The only place that knows both the config layout and the modules' option
// types, so neither depends on the other.
#include <string>

#include "app/node.hpp"
#include "core/config.hpp"

namespace tg4::app {

execution::PaperConfig paper_config_from_config(const core::PaperSection& paper);
execution::OrderManagerConfig order_config_from_config(const core::Config& config);
// Everything but the market source, which the command chooses (simulator, live Kraken).
// `command` is demo | paper | live. The global flags (--store, --redis, --metrics) are applied to
// `config` when it is loaded (app/config_loading.hpp).
NodeOptions node_options_from_config(const core::Config& config, const std::string& command);

}  // namespace tg4::app
