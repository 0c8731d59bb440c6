// The staff area: its home, the audit log, the accounts and their roles.
#pragma once

#include "web/site.hpp"

namespace fabrique::admin {

void register_routes(web::Site& site);

}  // namespace fabrique::admin
