// The test binaries hash passwords at the cheapest cost
// (tests/support/password_cost.hpp); the platform never does.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "accounts/password.hpp"
#include "support/password_cost.hpp"
#include "support/paths.hpp"

namespace fabrique::accounts {
namespace {

// libsodium's Argon2id "interactive": 64 MiB, 2 passes, one lane.
constexpr const char* kProductionCost = "$argon2id$v=19$m=65536,t=2,p=1$";

TEST(PasswordCost, ThePlatformHashesAtTheInteractiveCost) {
  const test::ProductionPasswordCost production;
  const std::string hash = hash_password("correct horse battery");
  EXPECT_EQ(hash.rfind(kProductionCost, 0), 0u) << hash;
  EXPECT_TRUE(verify_password("correct horse battery", hash));
  EXPECT_FALSE(needs_rehash(hash));
}

TEST(PasswordCost, TestHashesAreCheapStillArgon2idAndRehashedByThePlatform) {
  test::use_test_password_cost();
  const std::string cheap = hash_password("correct horse battery");
  EXPECT_EQ(cheap.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << cheap;
  EXPECT_TRUE(verify_password("correct horse battery", cheap));
  EXPECT_FALSE(verify_password("correct horse batterY", cheap));
  EXPECT_FALSE(needs_rehash(cheap));
  const test::ProductionPasswordCost production;
  EXPECT_TRUE(needs_rehash(cheap)) << "a cheap hash never stays in production";
}

// Only the test binaries may lower the cost: no file of src/ but the switch's
// own header and its definition names it.
TEST(PasswordCost, NothingInSrcLowersTheCost) {
  const auto src = test::source_dir() / "src";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const auto relative = entry.path().lexically_relative(src).generic_string();
    if (relative == "accounts/password_testing.hpp" || relative == "accounts/password.cpp")
      continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("cheapest_password_hashes"), std::string::npos) << relative;
    ++files;
  }
  EXPECT_GT(files, 50);
}

}  // namespace
}  // namespace fabrique::accounts
