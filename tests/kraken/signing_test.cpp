// Kraken REST signing: the worked example of Kraken's "Spot REST Authentication" guide
// (docs.kraken.com/api/docs/guides/spot-rest-auth), byte for byte, plus base64, form encoding and
// nonces.
#include "kraken/signing.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace tg4::kraken {
namespace {

// Kraken's published inputs and expected API-Sign (a sample key, not associated with any account).
constexpr const char* kSecret =
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
constexpr const char* kNonce = "1616492376594";
constexpr const char* kPostData =
    "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
constexpr const char* kPath = "/0/private/AddOrder";
constexpr const char* kExpected =
    "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==";

TEST(Signing, MatchesKrakensPublishedExample) {
  const auto sign = api_sign(kPath, kNonce, kPostData, kSecret);
  ASSERT_TRUE(sign.ok()) << sign.error().message;
  EXPECT_EQ(*sign, kExpected);
}

TEST(Signing, TheExamplesBodyIsWhatFormEncodeBuilds) {
  EXPECT_EQ(form_encode({{"nonce", kNonce},
                         {"ordertype", "limit"},
                         {"pair", "XBTUSD"},
                         {"price", "37500"},
                         {"type", "buy"},
                         {"volume", "1.25"}}),
            kPostData);
}

TEST(Signing, EveryInputChangesTheSignature) {
  std::set<std::string> signatures{kExpected};
  signatures.insert(api_sign("/0/private/Balance", kNonce, kPostData, kSecret).value());
  signatures.insert(api_sign(kPath, "1616492376595", kPostData, kSecret).value());
  signatures.insert(api_sign(kPath, kNonce, std::string(kPostData) + "&x=1", kSecret).value());
  signatures.insert(api_sign(kPath, kNonce, kPostData, base64_encode("another secret")).value());
  EXPECT_EQ(signatures.size(), 5u);
}

TEST(Signing, ABadSecretIsAnErrorThatDoesNotRepeatIt) {
  const std::string secret = "not base64!!";
  const auto sign = api_sign(kPath, kNonce, kPostData, secret);
  ASSERT_FALSE(sign.ok());
  EXPECT_NE(sign.error().message.find("API secret"), std::string::npos);
  EXPECT_EQ(sign.error().message.find(secret), std::string::npos);
}

TEST(Base64, RoundTripsAndRejectsNonsense) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                      "foobar", std::string("\0\xff\x10", 3)}) {
    const auto encoded = base64_encode(s);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(base64_decode(encoded).value(), s) << encoded;
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
  for (const std::string bad : {"Zm9", "Zm9v YmFy", "Zm=vYmFy", "Zm9vYmF*", "===="})
    EXPECT_FALSE(base64_decode(bad).ok()) << bad;
}

TEST(FormEncode, EscapesReservedCharacters) {
  EXPECT_EQ(form_encode({{"pair", "XBT/USD"}, {"a b", "c&d=e"}, {"u", "-_.~"}}),
            "pair=XBT%2FUSD&a%20b=c%26d%3De&u=-_.~");
}

TEST(NonceSource, StrictlyIncreasingAcrossThreads) {
  NonceSource nonces;
  std::vector<std::vector<std::uint64_t>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) seen[t].push_back(nonces.next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> all;
  for (const auto& v : seen) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), 4000u);
  EXPECT_GT(*all.begin(), 1'600'000'000'000u) << "milliseconds since the epoch";
}

}  // namespace
}  // namespace tg4::kraken
