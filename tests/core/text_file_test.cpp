// Whole text files: read_text_file returns the bytes, and refuses a directory or a missing file
// with the path and the reason (a directory must not read as empty text).
#include "core/text_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tg4::core {
namespace {

namespace fs = std::filesystem;

class TextFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tg4_text_file_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TextFile, ReadsBackWhatWasWritten) {
  const fs::path path = dir_ / "a.txt";
  const std::string text("line 1\r\nline 2\0binary", 21);
  ASSERT_TRUE(write_text_file(path, text).ok());
  const auto read = read_text_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, text);

  ASSERT_TRUE(write_text_file(path, "").ok());
  const auto empty = read_text_file(path);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, "");
}

TEST_F(TextFile, ADirectoryOrAMissingFileIsAnErrorNamingThePath) {
  const auto directory = read_text_file(dir_);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message, dir_.string() + ": is a directory");

  const auto missing = read_text_file(dir_ / "nope.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            (dir_ / "nope.txt").string() + ": cannot open for reading: No such file or directory");
}

}  // namespace
}  // namespace tg4::core
