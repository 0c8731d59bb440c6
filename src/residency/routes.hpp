// Residency pages:
//   GET/POST /account/residency            VerifyOwnResidency  a resident verifies online
//   GET/POST /admin/census                 ImportCensus        upload; past imports
//   GET      /admin/census/imports/{id}    ImportCensus        one import's progress and errors
//   GET/POST /admin/districts              ImportCensus        list and add districts
//   GET/POST /admin/counter                VerifyAtCounter     a clerk verifies someone in person
#pragma once

#include "web/site.hpp"

namespace fabrique::residency {

void register_routes(web::Site& site);

}  // namespace fabrique::residency
