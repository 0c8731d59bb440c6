// The demo city, for `make run` and for the browser tests.
#pragma once

#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "core/secrets.hpp"
#include "residency/model.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

inline constexpr const char* kDemoPassword = "demo-fabrique-2026";
inline constexpr int kDemoCensusPeople = 400;

struct DemoAccount {
  std::string email;
  std::string display_name;
  accounts::Role role;
};
struct DemoDistrict {
  std::string slug, name_fr, name_en, postal_code;
};

const std::vector<DemoAccount>& demo_accounts();
const std::vector<DemoDistrict>& demo_districts();
// The demo census: `people` rows "DEMO0001,1947-06-12,45100,rive-gauche", ...
std::string demo_census_csv(int people);
// Person `i` of the demo census, as a resident would type it.
residency::IdentityForm demo_identity(int i);

struct DemoSeedReport {
  bool seeded = false;  // false: the database already had the demo
  std::size_t census_people = 0;
};
// Idempotent: does nothing on a database already seeded.
DemoSeedReport seed_demo(store::Database& database, const Secrets& secrets);
// Imports the census rows (residency's importer); returns how many.
std::size_t seed_demo_census(store::Connection& db, const Secrets& secrets, const std::string& csv);

}  // namespace fabrique::cli
