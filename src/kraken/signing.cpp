#include "kraken/signing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <chrono>
#include <vector>

namespace tg4::kraken {

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

core::Result<std::string> base64_decode(std::string_view text) {
  const auto bad = [] {
    return core::Error::of("not valid base64 (standard alphabet, padded to 4 characters)");
  };
  if (text.size() % 4 != 0) return bad();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/';
    const bool pad =
        c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
    if (!alpha && !pad) return bad();
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return bad();
  // EVP_DecodeBlock counts the padding as zero bytes; drop them.
  std::size_t size = static_cast<std::size_t>(n);
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

core::Result<std::string> api_sign(std::string_view uri_path, std::string_view nonce,
                                   std::string_view post_data, std::string_view secret_base64) {
  auto secret = base64_decode(secret_base64);
  if (!secret) return core::Error::of("Kraken API secret: " + secret.error().message);
  std::string message(nonce);
  message.append(post_data);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest);
  std::string signed_text(uri_path);
  signed_text.append(reinterpret_cast<const char*>(digest), sizeof(digest));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha512(), secret->data(), static_cast<int>(secret->size()),
           reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
           &mac_size) == nullptr) {
    return core::Error::of("Kraken API-Sign: HMAC-SHA512 failed");
  }
  // Scrub the decoded key before the buffer is freed.
  OPENSSL_cleanse(secret->data(), secret->size());
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  const auto append = [&](std::string_view s) {
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~') {
        out.push_back(ch);
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
      }
    }
  };
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    append(k);
    out.push_back('=');
    append(v);
  }
  return out;
}

std::uint64_t NonceSource::next() {
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  std::lock_guard lock(mutex_);
  last_ = now > last_ ? now : last_ + 1;
  return last_;
}

}  // namespace tg4::kraken
