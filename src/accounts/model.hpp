// Who uses the platform: accounts and their roles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/lang.hpp"

namespace fabrique::accounts {

// Visitor is whoever is not signed in; it is never stored. Staff roles
// (administrator, moderator, reviewer, clerk) are fine-grained: each grants
// only the permissions its work needs (permissions.cpp).
enum class Role {
  Visitor,
  Resident,
  Organisation,
  Administrator,
  Moderator,
  Reviewer,
  Clerk,
  Elected
};

inline constexpr Role kAllRoles[] = {Role::Visitor,       Role::Resident,  Role::Organisation,
                                     Role::Administrator, Role::Moderator, Role::Reviewer,
                                     Role::Clerk,         Role::Elected};

std::string_view role_name(Role role);  // as stored: "resident", "clerk", ...
std::optional<Role> parse_role(std::string_view name);
Text role_label(Role role);  // "counter clerk" / "agent d'accueil"

struct Account {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::Resident;
  Lang language = Lang::Fr;
  std::string created_at;
  // Set when the residency is verified against the census.
  std::optional<std::int64_t> district_id;
  std::optional<std::string> birth_date;
  std::optional<std::string> verified_at;
  std::string verification_method;  // "online", "counter" or ""
  // Set when the owner of the address followed the link mailed at sign-up
  // (or reset the password); an unconfirmed account cannot sign in.
  std::optional<std::string> email_confirmed_at;

  bool verified() const { return verified_at.has_value(); }
  bool email_confirmed() const { return email_confirmed_at.has_value(); }
};

}  // namespace fabrique::accounts
