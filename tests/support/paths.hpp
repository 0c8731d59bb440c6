// Where the tests find the shared real data and the built binary.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fabrique::test {

// The pabulib development set shipped beside the repository
// (`../shared/data/pabulib`), or FABRIQUE_PABULIB_DIR when set.
inline std::filesystem::path pabulib_dir() {
  if (const char* dir = std::getenv("FABRIQUE_PABULIB_DIR")) return dir;
  return std::filesystem::path(FABRIQUE_SOURCE_DIR) / ".." / "shared" / "data" / "pabulib";
}

inline std::filesystem::path source_dir() { return FABRIQUE_SOURCE_DIR; }

inline std::string fabrique_binary() { return FABRIQUE_BINARY; }

}  // namespace fabrique::test
