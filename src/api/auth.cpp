#include "api/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

#include "core/text.hpp"

namespace tg4::api {

const char* to_string(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kTrader: return "trader";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "trader") return Role::kTrader;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

Auth::Auth(std::vector<TokenEntry> tokens) : tokens_(std::move(tokens)) {
  for (auto& t : tokens_) std::transform(t.sha256.begin(), t.sha256.end(), t.sha256.begin(), ::tolower);
}

std::string Auth::hash_token(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<Principal> Auth::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  // The scheme is case-insensitive (RFC 7235): "bearer x" is the same credential.
  if (header.size() <= kBearer.size() ||
      !core::equals_ignoring_case(header.substr(0, kBearer.size()), kBearer)) {
    return std::nullopt;
  }
  const std::string digest = hash_token(header.substr(kBearer.size()));
  for (const auto& t : tokens_) {
    if (t.sha256.size() == digest.size() && CRYPTO_memcmp(t.sha256.data(), digest.data(), digest.size()) == 0) {
      return Principal{t.name, t.role};
    }
  }
  return std::nullopt;
}

}  // namespace tg4::api
