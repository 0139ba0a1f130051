#pragma once
// MetricsServer: serves GET /metrics on HOST:PORT (default 127.0.0.1:9464) from one shared
// prometheus::Registry on which every module registers its metrics (DESIGN principle 7). It also
// exports tg4_build_info{version, git_sha, compiler, build_type} 1 and
// tg4_process_start_time_seconds.
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace tg4::metrics {

inline constexpr const char* kDefaultMetricsAddress = "127.0.0.1:9464";

class MetricsServer {
 public:
  // Listens on `address` ("HOST:PORT"; port 0 = any free port, see port()). Errors (bad address,
  // port in use) name the address. With a null `registry`, a new one is made.
  static core::Result<std::unique_ptr<MetricsServer>> start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The registry served on /metrics; register module metrics here.
  prometheus::Registry& registry() const { return *registry_; }
  const std::shared_ptr<prometheus::Registry>& shared_registry() const { return registry_; }
  // The port actually listened on, and "HOST:PORT" with it.
  std::uint16_t port() const { return port_; }
  std::string address() const { return host_ + ":" + std::to_string(port_); }
  std::string url() const { return "http://" + address() + "/metrics"; }

 private:
  MetricsServer(std::shared_ptr<prometheus::Registry> registry,
                std::unique_ptr<prometheus::Exposer> exposer, std::string host, std::uint16_t port);

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string host_;
  std::uint16_t port_;
};

// Registers tg4_build_info{version, git_sha, compiler, build_type} = 1 and
// tg4_process_start_time_seconds on `registry` (idempotent). MetricsServer::start() calls it.
void register_build_info(prometheus::Registry& registry);

}  // namespace tg4::metrics
