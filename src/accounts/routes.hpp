// Sign up, sign in, sign out, password reset, the account page.
#pragma once

#include "web/site.hpp"

namespace fabrique::accounts {

void register_routes(web::Site& site);

}  // namespace fabrique::accounts
