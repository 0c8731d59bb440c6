#include "web/routes.hpp"

#include <boost/json.hpp>

namespace fabrique::web {

using accounts::Permission;

void register_routes(Site& site) {
  site.get("/", Permission::Browse, [](Context& ctx) {
    // Capabilities (participatory budgets first) will list their open
    // processes here.
    return ctx.page("web/home", {{"processes", boost::json::array{}}, {"has_processes", false}},
                    {"Home", "Accueil"});
  });

  // A plain link, so that it works without JavaScript; it only sets a
  // cookie (an account's lasting choice is on the account page).
  site.get("/language", Permission::Browse, [](Context& ctx) {
    const auto chosen = parse_lang(ctx.query.get("to"));
    if (!chosen)
      return ctx.error(
          400, {"Unknown language: choose fr or en.", "Langue inconnue : choisissez fr ou en."});
    ctx.set_language_cookie(*chosen);
    return ctx.redirect(safe_local_path(ctx.query.get("back")));
  });
}

}  // namespace fabrique::web
