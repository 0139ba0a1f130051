#pragma once
// A self-signed certificate made in memory at start-up (OpenSSL EVP/X509), so the simulator can serve
// wss:// and the client's TLS path can be tested without files or a CA. Never for production use.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "core/result.hpp"

namespace tg4::net {

struct SelfSignedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

struct SelfSignedOptions {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  std::chrono::hours validity{24 * 30};
};

// An ECDSA P-256 key and a v3 certificate for it, signed by itself (SHA-256), valid from one hour ago.
core::Result<SelfSignedCertificate> generate_self_signed_certificate(const SelfSignedOptions& options = {});

// A TLS 1.2+ server context presenting `certificate`.
core::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const SelfSignedCertificate& certificate);

}  // namespace tg4::net
