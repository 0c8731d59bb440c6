// The platform's own pages: the home page and the language switch.
#pragma once

#include "web/site.hpp"

namespace fabrique::web {

void register_routes(Site& site);

}  // namespace fabrique::web
