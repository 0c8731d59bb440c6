// Password hashes: Argon2id from libsodium, at its "interactive" cost
// (about 0.1 s and 64 MiB per hash). At most two hashes run at once, so a
// burst of sign-ins cannot take all the memory or all the workers.
#pragma once

#include <string>
#include <string_view>

namespace fabrique::accounts {

std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& hash);
// Checks a hash of the same cost (for accounts made before a cost change).
bool needs_rehash(const std::string& hash);

}  // namespace fabrique::accounts
