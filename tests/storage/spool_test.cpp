#include "storage/spool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/batch.hpp"
#include "storage/sample_rows.hpp"

namespace tg4::storage {
namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tg4-spool-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = dir_ / "store.spool";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Spool> open() {
    auto s = Spool::open(path_, nullptr);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::vector<std::filesystem::path> quarantined() const {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      if (e.path().filename().string().find(".corrupt-") != std::string::npos)
        out.push_back(e.path());
    }
    return out;
  }
  static std::string pop_front(Spool& s) {
    auto f = s.front();
    EXPECT_TRUE(f && f->has_value());
    std::string out = f && f->has_value() ? **f : std::string();
    EXPECT_TRUE(s.pop());
    return out;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(SpoolTest, RecordsComeBackInOrderAndTheFileEmptiesAfterReplay) {
  auto spool = open();
  ASSERT_TRUE(spool->empty());
  ASSERT_TRUE(spool->append("first"));
  ASSERT_TRUE(spool->append(std::string(100'000, 'x')));
  ASSERT_TRUE(spool->append(""));
  EXPECT_EQ(spool->records(), 3u);
  EXPECT_EQ(spool->bytes(), 3 * Spool::kHeaderBytes + 5 + 100'000);
  EXPECT_EQ(pop_front(*spool), "first");
  EXPECT_EQ(pop_front(*spool).size(), 100'000u);
  EXPECT_EQ(pop_front(*spool), "");
  EXPECT_TRUE(spool->empty());
  EXPECT_EQ(std::filesystem::file_size(path_), 0u);
  auto none = spool->front();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(SpoolTest, ARestartReplaysOnlyWhatWasNotConsumed) {
  {
    auto spool = open();
    for (const char* r : {"a", "b", "c"}) ASSERT_TRUE(spool->append(r));
    EXPECT_EQ(pop_front(*spool), "a");
  }
  auto spool = open();
  EXPECT_EQ(spool->records(), 2u);
  EXPECT_TRUE(spool->problems().empty());
  EXPECT_EQ(pop_front(*spool), "b");
  ASSERT_TRUE(spool->append("d"));
  EXPECT_EQ(pop_front(*spool), "c");
  EXPECT_EQ(pop_front(*spool), "d");
}

TEST_F(SpoolTest, ATornTailIsReportedAndSetAsideNotSilentlyDropped) {
  std::uint64_t good_end = 0;
  {
    auto spool = open();
    ASSERT_TRUE(spool->append("one"));
    ASSERT_TRUE(spool->append("two"));
    good_end = spool->bytes();
  }
  {
    // A crash in the middle of an append: a header promising 1000 bytes, then 10 of them.
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    const char header[12] = {'T', 'G', '4', 'S', static_cast<char>(0xE8), 0x03, 0, 0, 1, 2, 3, 4};
    out.write(header, sizeof(header));
    out.write("0123456789", 10);
  }
  auto spool = open();
  EXPECT_EQ(spool->records(), 2u);
  ASSERT_EQ(spool->problems().size(), 1u);
  const auto& problem = spool->problems().front();
  EXPECT_NE(problem.find("torn record"), std::string::npos) << problem;
  EXPECT_NE(problem.find("at byte " + std::to_string(good_end)), std::string::npos) << problem;
  EXPECT_NE(problem.find(path_.string()), std::string::npos) << problem;
  const auto aside = quarantined();
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(aside.front()), 22u);
  EXPECT_EQ(std::filesystem::file_size(path_), good_end);
  // The spool goes on working after the cut.
  ASSERT_TRUE(spool->append("three"));
  EXPECT_EQ(pop_front(*spool), "one");
  EXPECT_EQ(pop_front(*spool), "two");
  EXPECT_EQ(pop_front(*spool), "three");
}

TEST_F(SpoolTest, AChecksumMismatchStopsReplayThereAndKeepsTheRest) {
  {
    auto spool = open();
    for (const char* r : {"alpha", "bravo", "charlie"}) ASSERT_TRUE(spool->append(r));
  }
  const std::uint64_t second = Spool::kHeaderBytes + 5;
  {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(second + Spool::kHeaderBytes + 1));
    f.put('X');  // "bXavo"
  }
  auto spool = open();
  EXPECT_EQ(spool->records(), 1u);
  ASSERT_EQ(spool->problems().size(), 1u);
  EXPECT_NE(spool->problems()[0].find("checksum mismatch at byte " + std::to_string(second)),
            std::string::npos)
      << spool->problems()[0];
  const auto aside = quarantined();
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(aside.front()), 2 * Spool::kHeaderBytes + 5 + 7);
  EXPECT_EQ(pop_front(*spool), "alpha");
  EXPECT_TRUE(spool->empty());
}

TEST_F(SpoolTest, GarbageInsteadOfAHeaderIsReported) {
  {
    std::filesystem::create_directories(dir_);
    std::ofstream(path_, std::ios::binary) << "this is not a spool file at all";
  }
  auto spool = open();
  EXPECT_EQ(spool->records(), 0u);
  ASSERT_EQ(spool->problems().size(), 1u);
  EXPECT_NE(spool->problems()[0].find("bad record magic at byte 0"), std::string::npos);
}

TEST_F(SpoolTest, AnUnwritableSpoolFailsLoudly) {
  auto spool = Spool::open("/dev/full", nullptr);
  ASSERT_TRUE(spool) << spool.error().message;
  auto status = (*spool)->append("data");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("/dev/full"), std::string::npos) << status.error().message;
  EXPECT_TRUE((*spool)->empty());

  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "plain-file") << "x";
  auto bad = Spool::open(dir_ / "plain-file" / "store.spool", nullptr);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("plain-file"), std::string::npos);
}

TEST(BatchCodec, EveryTableSurvivesTheSpoolEncoding) {
  const Batch batch = testing::sample_batch(3);
  auto decoded = decode_batch(encode_batch(batch));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->size(), batch.size());
  bool all_same = true;
  for_each_row_type([&](auto tag) {
    using RowT = typename decltype(tag)::type;
    const auto& a = batch.rows<RowT>();
    const auto& b = decoded->rows<RowT>();
    if (a.size() != b.size()) all_same = false;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      all_same = all_same && same_columns(a[i], b[i]);
  });
  EXPECT_TRUE(all_same);
}

// An order row spooled alone: format byte, one table, "orders", one row, the field count, the row.
// Its leverage (a Decimal, 16 bytes) is the last field: the column an older build did not write.
struct SpooledOrder {
  static constexpr std::size_t kFieldCountAt = 1 + 4 + (4 + 6) + 4;
  static constexpr std::size_t kLeverageBytes = 16;
  OrderRow row = testing::sample_order(1);
  std::string bytes;
  SpooledOrder() {
    Batch batch;
    batch.add(row);
    bytes = encode_batch(batch);
  }
  std::uint32_t field_count() const {
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[kFieldCountAt + i])) << (8 * i);
    return n;
  }
  void set_field_count(std::uint32_t n) {
    for (int i = 0; i < 4; ++i) bytes[kFieldCountAt + i] = static_cast<char>(n >> (8 * i));
  }
};

TEST(BatchCodec, AnOlderBuildsBatchDecodesWithTheNewColumnAtItsDefault) {
  SpooledOrder spooled;
  ASSERT_EQ(spooled.row.leverage, core::Decimal::must("2.5")) << "the sample must not hold the default";
  // Format 2 from a build before orders.leverage: one field fewer.
  std::string older = spooled.bytes.substr(0, spooled.bytes.size() - SpooledOrder::kLeverageBytes);
  SpooledOrder patched;
  patched.bytes = older;
  patched.set_field_count(spooled.field_count() - 1);
  auto decoded = decode_batch(patched.bytes);
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->rows<OrderRow>().size(), 1u);
  OrderRow expected = spooled.row;
  expected.leverage = core::Decimal::one();
  EXPECT_TRUE(same_columns(decoded->rows<OrderRow>().front(), expected));
  // Format 1 (no field counts), as spooled before this build.
  std::string format1 = older;
  format1.erase(SpooledOrder::kFieldCountAt, 4);
  format1[0] = 1;
  decoded = decode_batch(format1);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_TRUE(same_columns(decoded->rows<OrderRow>().front(), expected));
}

TEST(BatchCodec, ANewerBuildsBatchIsAnErrorNamingTheTable) {
  SpooledOrder spooled;
  spooled.set_field_count(spooled.field_count() + 1);
  spooled.bytes += std::string(SpooledOrder::kLeverageBytes, '\0');
  auto r = decode_batch(spooled.bytes);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("for table 'orders'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("newer build"), std::string::npos) << r.error().message;
}

TEST(BatchCodec, DamagedBytesAreAnError) {
  const std::string bytes = encode_batch(testing::sample_batch(2));
  EXPECT_FALSE(decode_batch(bytes.substr(0, bytes.size() - 3)));
  EXPECT_FALSE(decode_batch(bytes + "x"));
  EXPECT_FALSE(decode_batch(""));
  std::string other_format = bytes;
  other_format[0] = 9;
  auto r = decode_batch(other_format);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("format 9"), std::string::npos);
}

}  // namespace
}  // namespace tg4::storage
