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

// The repository (a test that reads src/ itself); data_dir() is tests/data.
// make check reruns an area when what these lead to changes: name the
// narrowest (cmake/test_areas.cmake, fabrique_list_check_inputs).
inline std::filesystem::path source_dir() { return FABRIQUE_SOURCE_DIR; }
inline std::filesystem::path data_dir() { return source_dir() / "tests" / "data"; }

inline std::string fabrique_binary() { return FABRIQUE_BINARY; }

}  // namespace fabrique::test
