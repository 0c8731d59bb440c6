// What `fabrique serve` answers, apart from the command line (for the tests).
#pragma once

#include "http/router.hpp"

namespace fabrique::cli {

// The routes of the platform: GET /health, GET /.
http::Router make_router();

}  // namespace fabrique::cli
