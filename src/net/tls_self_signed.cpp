#include "net/tls_self_signed.hpp"

#include <functional>
#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace tg4::net {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

std::string openssl_error(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char buf[256] = {0};
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return "self-signed certificate: " + what + (code != 0 ? std::string(": ") + buf : std::string());
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

core::Result<std::string> to_pem(const std::function<int(BIO*)>& write) {
  const std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return core::Error::of(openssl_error("PEM encoding failed"));
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

core::Result<SelfSignedCertificate> generate_self_signed_certificate(const SelfSignedOptions& options) {
  const std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return core::Error::of(openssl_error("EC key generation failed"));
  const std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return core::Error::of(openssl_error("X509_new failed"));

  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return core::Error::of(openssl_error("no randomness"));
  serial_bytes[0] &= 0x7f;  // a positive serial
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  const bool serial_ok = serial && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  if (!serial_ok) return core::Error::of(openssl_error("serial number"));

  const long validity_s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(options.validity).count());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(options.common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("tg4 simulator (self-signed)");
  if (X509_set_version(cert.get(), 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_s) == nullptr ||
      X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return core::Error::of(openssl_error("building the certificate"));
  }

  std::string san;
  for (const auto& dns : options.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : options.ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  // CA:TRUE lets a client put this very certificate in its trust store as the anchor.
  if ((!san.empty() && !add_extension(cert.get(), NID_subject_alt_name, san)) ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return core::Error::of(openssl_error("certificate extensions"));
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return core::Error::of(openssl_error("signing"));

  auto cert_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  if (!cert_pem) return cert_pem.error();
  auto key_pem = to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!key_pem) return key_pem.error();
  return SelfSignedCertificate{std::move(cert_pem).value(), std::move(key_pem).value()};
}

core::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const SelfSignedCertificate& certificate) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::single_dh_use,
                   ec);
  if (!ec && SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return core::Error::of(openssl_error("TLS 1.2 minimum"));
  }
  if (!ec) ctx->use_certificate_chain(boost::asio::buffer(certificate.certificate_pem), ec);
  if (!ec) ctx->use_private_key(boost::asio::buffer(certificate.private_key_pem), ssl::context::pem, ec);
  if (ec) return core::Error::of("TLS server context: " + ec.message());
  return ctx;
}

}  // namespace tg4::net
