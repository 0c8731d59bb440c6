// store::open(): picks the backend from the URL's scheme.
#include "store/postgres.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace fabrique::store {

std::unique_ptr<Database> open(const std::string& url) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return open_postgres(url);
  }
  constexpr std::string_view kScheme = "sqlite:";
  if (url.starts_with(kScheme)) return open_sqlite(url.substr(kScheme.size()));
  return open_sqlite(url);
}

}  // namespace fabrique::store
