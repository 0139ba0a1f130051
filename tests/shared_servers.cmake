# CTest script, included after the discovered tests: which integration and e2e tests share a server,
# a port or the machine, so that the rest run two at a time (`ctest -j`). Most of them wait on
# sockets and timers, not the CPU, and run one at a time they were most of a CI run.
#
# A test touching a shared server must be listed here:
#   postgres   the test database, and the server PostgresOutage stops and restarts
#   redis      the test Redis, which RedisBridgeLive restarts
#   metrics    the fixed metrics address Prometheus scrapes (TG4_TEST_METRICS_ADDRESS)
# A test that needs the whole machine (a browser rendering the report) runs alone. The long e2e tests
# (the demo, kill -9 and restart) mostly wait on the simulator's clock, so they share the machine.
cmake_policy(PUSH)
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST); CTest scripts start with old policies
set(tg4_postgres_suites BackfillSim MigrateCommand PostgresOutage PostgresReadOnly PostgresStoreTest PostgresUrls
    Servers)
set(tg4_redis_suites RedisBridgeLive Servers Demo)
set(tg4_metrics_suites Servers Demo)
set(tg4_alone_suites ReportChromium)

foreach(tg4_test IN LISTS test_integration_TESTS test_e2e_TESTS)
  string(REGEX REPLACE "\\..*" "" tg4_suite "${tg4_test}")
  set(tg4_locks "")
  foreach(tg4_resource postgres redis metrics)
    if(tg4_suite IN_LIST tg4_${tg4_resource}_suites)
      list(APPEND tg4_locks ${tg4_resource})
    endif()
  endforeach()
  if(tg4_locks)
    set_tests_properties("${tg4_test}" PROPERTIES RESOURCE_LOCK "${tg4_locks}")
  endif()
  if(tg4_suite IN_LIST tg4_alone_suites)
    set_tests_properties("${tg4_test}" PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
cmake_policy(POP)
