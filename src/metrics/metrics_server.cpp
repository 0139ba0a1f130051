#include "metrics/metrics_server.hpp"

#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <exception>
#include <utility>

#include "core/address.hpp"
#include "metrics/build_info.hpp"

namespace tg4::metrics {
namespace {

core::Result<core::HostPort> parse_address(const std::string& address) {
  auto parsed = core::parse_host_port(address);
  if (!parsed) return core::Error::of("metrics address " + parsed.error().message);
  return parsed;
}

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void register_build_info(prometheus::Registry& registry) {
  const BuildInfo& b = build_info();
  prometheus::BuildGauge()
      .Name("tg4_build_info")
      .Help("Build of this tg4 binary (value is always 1)")
      .Register(registry)
      .Add({{"version", b.version},
            {"git_sha", b.git_sha},
            {"compiler", b.compiler},
            {"build_type", b.build_type}})
      .Set(1);
  auto& start = prometheus::BuildGauge()
                    .Name("tg4_process_start_time_seconds")
                    .Help("Start time of the process since the Unix epoch, in seconds")
                    .Register(registry)
                    .Add({});
  if (start.Value() == 0) start.Set(unix_seconds_now());
}

core::Result<std::unique_ptr<MetricsServer>> MetricsServer::start(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
  auto parsed = parse_address(address);
  if (!parsed) return parsed.error();
  if (!registry) registry = std::make_shared<prometheus::Registry>();
  register_build_info(*registry);
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One server thread: Prometheus scrapes rarely, and the process's cores belong to trading.
    exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    // CivetWeb says only "null context when constructing CivetServer. Possible problem binding to
    // port": its words are of no use to an operator, the likely cause is.
    const std::string what = e.what();
    const std::string why =
        what.find("CivetServer") != std::string::npos
            ? "the address cannot be bound: the port is in use (another tg4?) or the "
              "host is not one of this machine's"
            : what;
    return core::Error::of("cannot serve /metrics on " + address + ": " + why +
                           " (choose another with --metrics HOST:PORT)");
  }
  exposer->RegisterCollectable(registry);
  std::uint16_t port = parsed->port;
  if (const auto ports = exposer->GetListeningPorts(); !ports.empty())
    port = static_cast<std::uint16_t>(ports.front());
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(registry), std::move(exposer), parsed->host, port));
}

MetricsServer::MetricsServer(std::shared_ptr<prometheus::Registry> registry,
                             std::unique_ptr<prometheus::Exposer> exposer, std::string host,
                             std::uint16_t port)
    : registry_(std::move(registry)),
      exposer_(std::move(exposer)),
      host_(std::move(host)),
      port_(port) {}

MetricsServer::~MetricsServer() = default;

}  // namespace tg4::metrics
