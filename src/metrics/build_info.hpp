#pragma once
// What this binary is: version, git commit, compiler and build type (configured by CMake), for
// `tg4 version`, the operator API and tg4_build_info.
#include <string>

namespace tg4::metrics {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string git_sha;     // short commit, "unknown" outside a git checkout
  std::string compiler;    // "GNU 12.2.0"
  std::string build_type;  // "Release", "Debug", ...
};

const BuildInfo& build_info();

}  // namespace tg4::metrics
