// Every error and warning the reader can give exists in French and English.
#include <gtest/gtest.h>

#include <filesystem>

#include "pb/pabulib.hpp"
#include "support/paths.hpp"

namespace fabrique::pb {
namespace {

namespace fs = std::filesystem;

TEST(ReaderMessages, EveryBrokenFileIsExplainedInBothLanguages) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(test::data_dir() / "broken")) {
    if (entry.path().extension() != ".pb") continue;
    ++files;
    try {
      read_pabulib_file(entry.path().string());
      ADD_FAILURE() << entry.path() << " reads";
    } catch (const ParseError& error) {
      const Text& reason = error.reason_text();
      EXPECT_FALSE(reason.fr.empty()) << entry.path();
      EXPECT_NE(reason.fr, reason.en) << entry.path() << ": not translated";
      EXPECT_EQ(error.message(Lang::Fr).find('\n'), std::string::npos);
    }
  }
  EXPECT_GE(files, 15);
}

TEST(ReaderMessages, WarningsInBothLanguages) {
  int warnings = 0;
  for (const auto& entry : fs::directory_iterator(test::data_dir() / "warnings")) {
    if (entry.path().extension() != ".pb") continue;
    for (const auto& warning : read_pabulib_file(entry.path().string()).warnings) {
      ++warnings;
      EXPECT_FALSE(warning.reason_fr.empty());
      EXPECT_NE(warning.reason_fr, warning.reason);
    }
  }
  EXPECT_GE(warnings, 3);
}

}  // namespace
}  // namespace fabrique::pb
