#include "web/routes.hpp"

#include <boost/json.hpp>

namespace fabrique::web {

using accounts::Permission;

void register_routes(Site& site) {
  // Each capability lists its processes (Site::add_home_listing).
  site.get("/", Permission::Browse, [&site](Context& ctx) {
    boost::json::array processes;
    for (const HomeListing& listing : site.home_listings()) listing(ctx, processes);
    const bool any = !processes.empty();
    return ctx.page("web/home", {{"processes", std::move(processes)}, {"has_processes", any}},
                    {"Home", "Accueil"});
  });

  // A plain link, so that it works without JavaScript; it only sets a
  // cookie (an account's lasting choice is on the account page).
  site.get("/language", Permission::Browse, [](Context& ctx) {
    const auto chosen = parse_lang(ctx.query.get("to"));
    if (!chosen)
      return ctx.error(400, {"Unknown language: choose fr or en.",
                             "Langue inconnue\u202f: choisissez fr ou en."});
    ctx.set_language_cookie(*chosen);
    return ctx.redirect(safe_local_path(ctx.query.get("back")));
  });
}

}  // namespace fabrique::web
