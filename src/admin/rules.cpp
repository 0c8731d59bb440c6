#include "admin/rules.hpp"

namespace fabrique::admin {

using accounts::Role;

std::optional<RoleChangeRefusal> refuse_role_change(std::int64_t actor_id,
                                                    const accounts::Account& target, Role new_role,
                                                    std::int64_t administrators) {
  if (new_role == Role::Visitor) return RoleChangeRefusal::NotAStoredRole;
  if (target.id == actor_id) return RoleChangeRefusal::OwnRole;
  if (target.role == Role::Administrator && new_role != Role::Administrator && administrators <= 1)
    return RoleChangeRefusal::LastAdministrator;
  return std::nullopt;
}

Text explain(RoleChangeRefusal refusal) {
  switch (refusal) {
    case RoleChangeRefusal::OwnRole:
      return {"You cannot change your own role: ask another administrator.",
              "Vous ne pouvez pas changer votre propre rôle\u202f: demandez à un autre "
              "administrateur."};
    case RoleChangeRefusal::LastAdministrator:
      return {
          "This is the last administrator: give the role to someone else first, or no one "
          "could manage accounts any more.",
          "C'est le dernier administrateur\u202f: donnez d'abord ce rôle à quelqu'un d'autre, "
          "sinon plus personne ne pourrait gérer les comptes."};
    case RoleChangeRefusal::NotAStoredRole:
      return {"Choose one of the roles in the list.", "Choisissez l'un des rôles de la liste."};
  }
  return {"This change is not allowed.", "Ce changement n'est pas permis."};
}

}  // namespace fabrique::admin
