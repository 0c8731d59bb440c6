// The centre and the harbour, keys for the census and the ballots, and the
// bp-2026 approval vote over both (approval_vote_2026) with its counter clerk:
// where the voting tests and the census-move tests start. The census and the
// projects are each fixture's own.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "accounts/repository.hpp"
#include "budgets/model.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "support/budget_process.hpp"
#include "support/databases.hpp"

namespace fabrique::test {

class TwoDistrictVoteTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    census_key_ = crypto::random_key();
    ballot_key_ = crypto::random_key();
    centre_ = residency::add_district(*db_, {"centre", "Centre-ville", "Town centre"}).id;
    port_ = residency::add_district(*db_, {"port", "Le Port", "The Harbour"}).id;
    process_ = insert_and_find(*db_, approval_vote_2026(centre_, port_));
    centre_unit_ = process_.unit_of_district(centre_)->id;
    port_unit_ = process_.unit_of_district(port_)->id;
    clerk_ = accounts::insert_account(*db_, "clerk@example.org", "x", "Claire Guichet",
                                      accounts::Role::Clerk, Lang::Fr);
  }

  // A feasible project of `unit`: its id.
  std::int64_t project(std::int64_t unit, const std::string& title, budgets::Amount cost) {
    return reviewed_project(*db_, process_, unit, title, cost);
  }

  crypto::Key census_key_{}, ballot_key_{};
  std::int64_t centre_ = 0, port_ = 0;
  budgets::Process process_;
  std::int64_t centre_unit_ = 0, port_unit_ = 0;
  std::int64_t clerk_ = 0;
};

}  // namespace fabrique::test
