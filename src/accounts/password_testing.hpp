// For the test binaries only (tests/support/password_cost.hpp), apart from
// password.hpp so that nothing of the platform includes it.
#pragma once

namespace fabrique::accounts::test_only {

// With true, hash_password() and needs_rehash() use the cheapest Argon2id
// libsodium accepts (1 pass over 8 KiB) instead of the interactive cost, so
// that a test making many accounts does not spend its time hashing. Nothing
// in src/ calls it (tests/accounts/password_cost_test.cpp checks), and no
// option, setting or environment variable of `fabrique` reaches it.
void cheapest_password_hashes(bool cheapest);

}  // namespace fabrique::accounts::test_only
