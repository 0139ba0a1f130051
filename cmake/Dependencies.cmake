# Every third-party library TG4 uses, all from Debian 12 packages (scripts/packages.txt).
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS system json url)
find_package(OpenSSL REQUIRED)
find_package(simdjson REQUIRED)
# simdjson adds members to its parser classes when __OPTIMIZE__ is undefined (its "development
# checks"), so code built at -O0 and code built at -O2 or -O3 disagree on their layout: a parser
# built by an -O0 test and destroyed inside an -O3 library is a double free. One setting for every
# target, the packaged library's own.
set_property(TARGET simdjson::simdjson APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS
  SIMDJSON_DEVELOPMENT_CHECKS=0)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
if(TG4_BENCH)
  find_package(benchmark REQUIRED)
endif()
