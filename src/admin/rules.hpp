// Pure decisions of the staff area: no storage, no HTTP.
#pragma once

#include <cstdint>
#include <optional>

#include "accounts/model.hpp"

namespace fabrique::admin {

enum class RoleChangeRefusal {
  OwnRole,            // no one changes their own role: no accidental lock-out
  LastAdministrator,  // someone must still be able to manage accounts
  NotAStoredRole,     // "visitor" is whoever is not signed in
};

// Why the account `actor_id` may not give `target` the role `new_role`, or
// nullopt when it may. `administrators`: how many there are now.
std::optional<RoleChangeRefusal> refuse_role_change(std::int64_t actor_id,
                                                    const accounts::Account& target,
                                                    accounts::Role new_role,
                                                    std::int64_t administrators);

// The refusal in words, for the person who asked.
Text explain(RoleChangeRefusal refusal);

}  // namespace fabrique::admin
