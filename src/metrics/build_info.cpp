#include "metrics/build_info.hpp"

#include "metrics/build_info_config.hpp"

namespace tg4::metrics {

const BuildInfo& build_info() {
  static const BuildInfo info{TG4_BUILD_VERSION, TG4_BUILD_GIT_SHA, TG4_BUILD_COMPILER,
                              TG4_BUILD_TYPE};
  return info;
}

}  // namespace tg4::metrics
