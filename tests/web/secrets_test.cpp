// The instance's secret file: created once, read back the same, and upgraded
// in place when a newer version needs another key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/secrets.hpp"
#include "support/temp_dir.hpp"
#include "web/app.hpp"

namespace fabrique {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SecretFile, IsCreatedPrivateAndReadBackTheSame) {
  const test::TempDir dir("secrets");
  const auto path = dir / "instance.secret";
  const fabrique::Secrets first = fabrique::load_or_create_secrets(path);
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  const fabrique::Secrets again = fabrique::load_or_create_secrets(path);
  EXPECT_EQ(first.forms, again.forms);
  EXPECT_EQ(first.census, again.census);
  EXPECT_EQ(first.ballots, again.ballots);
  EXPECT_NE(first.forms, first.ballots);
  EXPECT_NE(first.census, first.ballots);
}

TEST(SecretFile, AFileFromBeforeBallotsGetsABallotKeyAndKeepsTheOthers) {
  const test::TempDir dir("secrets");
  const auto path = dir / "instance.secret";
  const fabrique::Secrets original = fabrique::load_or_create_secrets(path);
  // Rewrite the file as the previous version wrote it: no ballots= line.
  std::string text = read(path);
  text.erase(text.find("ballots="));
  { std::ofstream(path, std::ios::trunc) << text; }

  const fabrique::Secrets upgraded = fabrique::load_or_create_secrets(path);
  EXPECT_EQ(upgraded.forms, original.forms);
  EXPECT_EQ(upgraded.census, original.census);
  EXPECT_NE(upgraded.ballots, crypto::Key{});
  EXPECT_NE(read(path).find("ballots="), std::string::npos);
  EXPECT_EQ(fabrique::load_or_create_secrets(path).ballots, upgraded.ballots);
}

TEST(SecretFile, ADamagedFileIsRefused) {
  const test::TempDir dir("secrets");
  const auto path = dir / "instance.secret";
  { std::ofstream(path) << "forms=zz\n"; }
  EXPECT_THROW(fabrique::load_or_create_secrets(path), std::runtime_error);
}

}  // namespace
}  // namespace fabrique
