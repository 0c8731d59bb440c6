#include "accounts/model.hpp"

namespace fabrique::accounts {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::Visitor:
      return "visitor";
    case Role::Resident:
      return "resident";
    case Role::Organisation:
      return "organisation";
    case Role::Administrator:
      return "administrator";
    case Role::Moderator:
      return "moderator";
    case Role::Reviewer:
      return "reviewer";
    case Role::Clerk:
      return "clerk";
    case Role::Elected:
      return "elected";
  }
  return "visitor";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role role : kAllRoles)
    if (role_name(role) == name) return role;
  return std::nullopt;
}

Text role_label(Role role) {
  switch (role) {
    case Role::Visitor:
      return {"visitor", "visiteur"};
    case Role::Resident:
      return {"resident", "habitant"};
    case Role::Organisation:
      return {"organisation", "organisation"};
    case Role::Administrator:
      return {"administrator", "administrateur"};
    case Role::Moderator:
      return {"moderator", "modérateur"};
    case Role::Reviewer:
      return {"reviewer", "instructeur"};
    case Role::Clerk:
      return {"counter clerk", "agent d'accueil"};
    case Role::Elected:
      return {"elected official", "élu"};
  }
  return {"visitor", "visiteur"};
}

}  // namespace fabrique::accounts
