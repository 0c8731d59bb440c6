// The instance's secret file: created once, read back the same, and upgraded
// in place when a newer version needs another key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/app.hpp"

namespace fabrique {
namespace {

std::filesystem::path fresh_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fabrique-secrets-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir / "instance.secret";
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SecretFile, IsCreatedPrivateAndReadBackTheSame) {
  const auto path = fresh_path("create");
  const web::Secrets first = web::load_or_create_secrets(path);
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  const web::Secrets again = web::load_or_create_secrets(path);
  EXPECT_EQ(first.forms, again.forms);
  EXPECT_EQ(first.census, again.census);
  EXPECT_EQ(first.ballots, again.ballots);
  EXPECT_NE(first.forms, first.ballots);
  EXPECT_NE(first.census, first.ballots);
}

TEST(SecretFile, AFileFromBeforeBallotsGetsABallotKeyAndKeepsTheOthers) {
  const auto path = fresh_path("upgrade");
  const web::Secrets original = web::load_or_create_secrets(path);
  // Rewrite the file as the previous version wrote it: no ballots= line.
  std::string text = read(path);
  text.erase(text.find("ballots="));
  { std::ofstream(path, std::ios::trunc) << text; }

  const web::Secrets upgraded = web::load_or_create_secrets(path);
  EXPECT_EQ(upgraded.forms, original.forms);
  EXPECT_EQ(upgraded.census, original.census);
  EXPECT_NE(upgraded.ballots, crypto::Key{});
  EXPECT_NE(read(path).find("ballots="), std::string::npos);
  EXPECT_EQ(web::load_or_create_secrets(path).ballots, upgraded.ballots);
}

TEST(SecretFile, ADamagedFileIsRefused) {
  const auto path = fresh_path("damaged");
  { std::ofstream(path) << "forms=zz\n"; }
  EXPECT_THROW(web::load_or_create_secrets(path), std::runtime_error);
}

}  // namespace
}  // namespace fabrique
