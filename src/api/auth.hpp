#pragma once
// Bearer-token authentication with roles viewer < trader < admin (SPEC §10). Tokens are kept only as
// SHA-256 hashes (config `api.tokens[].sha256`), compared in constant time; `tg4 ctl` sends the plain
// token. A request is allowed when its token's role is at least the endpoint's.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg4::api {

enum class Role : int { kViewer = 0, kTrader = 1, kAdmin = 2 };
const char* to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct TokenEntry {
  std::string name;    // who it belongs to, for the audit log
  std::string sha256;  // hex digest of the token
  Role role = Role::kViewer;
};

struct Principal {
  std::string name;
  Role role;
};

class Auth {
 public:
  explicit Auth(std::vector<TokenEntry> tokens);

  static std::string hash_token(std::string_view token);  // lowercase hex SHA-256
  // The principal for an `Authorization: Bearer …` header value, or nullopt.
  std::optional<Principal> authenticate(std::string_view authorization_header) const;
  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<TokenEntry> tokens_;
};

}  // namespace tg4::api
