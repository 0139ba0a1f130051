#pragma once
// Kraken REST authentication (private endpoints): API-Sign =
// base64(HMAC-SHA512(base64decode(secret), uri_path + SHA256(nonce + post_data))), where uri_path
// starts at "/0/private/" and post_data is the form-encoded body that includes the nonce. The
// secret is only ever used here and never logged.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tg4::kraken {

// An Error when `secret_base64` is not base64 (the message does not contain the secret).
core::Result<std::string> api_sign(std::string_view uri_path, std::string_view nonce,
                                   std::string_view post_data, std::string_view secret_base64);

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding; an Error for anything else (whitespace included).
core::Result<std::string> base64_decode(std::string_view text);

// Form encoding for a POST body: key=value pairs joined by '&', RFC 3986 unreserved characters
// kept, everything else %XX.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// Kraken nonces must always increase per API key: milliseconds since the epoch, or the previous
// nonce + 1 when the clock has not moved (or went back). Thread-safe.
class NonceSource {
 public:
  std::uint64_t next();

 private:
  std::mutex mutex_;
  std::uint64_t last_ = 0;
};

}  // namespace tg4::kraken
