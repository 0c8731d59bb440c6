// Where the tests find the shared real data and the built binary.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fabrique::test {

// The shared pabulib development set, as scripts/pabulib-dir found it at
// configure time; the environment variable FABRIQUE_PABULIB_DIR overrides.
inline std::filesystem::path pabulib_dir() {
  if (const char* dir = std::getenv("FABRIQUE_PABULIB_DIR")) return dir;
  return FABRIQUE_PABULIB_DIR;
}

inline std::filesystem::path source_dir() { return FABRIQUE_SOURCE_DIR; }

inline std::string fabrique_binary() { return FABRIQUE_BINARY; }

}  // namespace fabrique::test
