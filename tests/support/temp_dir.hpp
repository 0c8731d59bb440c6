// A directory of the test's own, removed with everything in it when the
// object goes (also when an assertion returns early): for databases, secret
// files, mail folders, server logs.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fabrique::test {

class TempDir {
 public:
  // Named fabrique-PURPOSE-TEST-XXXXXX (TEST: the running test's name, for
  // whoever looks at what a crashed test left): unique across processes.
  explicit TempDir(std::string_view purpose = "test") {
    std::string name = "fabrique-" + std::string(purpose) + "-";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
      for (char c : std::string(info->test_suite_name()) + "-" + info->name())
        if (name.size() < 120) name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '-';
    std::string pattern = (std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make a temporary directory " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // "sqlite:DIR/NAME": a SQLite database in this directory.
  std::string sqlite_url(std::string_view name = "db.sqlite") const {
    return "sqlite:" + (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace fabrique::test
