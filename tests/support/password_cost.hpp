// Password hashes in the test binaries: the cheapest Argon2id, since the
// tests make thousands of accounts and sign in thousands of times, each hash
// otherwise about 0.1 s of a core and 64 MiB at the interactive cost. What a
// test checks does not depend on the cost, except the cost itself
// (tests/accounts/password_cost_test.cpp, under ProductionPasswordCost).
// The `fabrique` binary the server tests and the browser tests run always
// hashes at the production cost.
#pragma once

#include "accounts/password_testing.hpp"

namespace fabrique::test {

// Called by the helpers that make a platform (WebPlatform, password_hash());
// cheap after the first call. Header-only: the support library itself stays
// below the accounts layer.
inline void use_test_password_cost() {
  static const bool done = (accounts::test_only::cheapest_password_hashes(true), true);
  (void)done;
}

// The production cost for the life of this object.
class ProductionPasswordCost {
 public:
  ProductionPasswordCost() { accounts::test_only::cheapest_password_hashes(false); }
  ~ProductionPasswordCost() { accounts::test_only::cheapest_password_hashes(true); }
  ProductionPasswordCost(const ProductionPasswordCost&) = delete;
  ProductionPasswordCost& operator=(const ProductionPasswordCost&) = delete;
};

}  // namespace fabrique::test
