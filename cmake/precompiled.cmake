# Precompiled headers: the standard library, fmt and Boost.JSON for every
# library and the fabrique binary (one header, compiled once in fabrique_core);
# the same plus GoogleTest for every test binary (compiled once in
# fabrique_test_support). Sharing needs identical flags and definitions: the
# libraries all link fabrique_common, the tests all link fabrique_test_support.
# Not <filesystem> for the libraries: it brings std::quoted, which an
# unqualified quoted(std::string) then finds by ADL (src/pb/pabulib.cpp).
# -DFABRIQUE_PCH=OFF (or CMAKE_DISABLE_PRECOMPILE_HEADERS) compiles without.

set(FABRIQUE_PRECOMPILED_HEADERS
  <algorithm> <array> <atomic> <charconv> <chrono> <cstddef> <cstdint> <cstdio> <cstdlib>
  <cstring> <fstream> <functional> <map> <memory> <mutex> <optional> <set>
  <sstream> <stdexcept> <string> <string_view> <thread> <unordered_map> <utility> <variant>
  <vector>
  <fmt/format.h> <boost/json.hpp>)

# The first library called with it compiles the header; the others reuse it.
function(fabrique_share_precompiled_headers target)
  if(NOT FABRIQUE_PCH)
    return()
  endif()
  get_property(owner GLOBAL PROPERTY FABRIQUE_LIBRARY_PCH_OWNER)
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${FABRIQUE_PRECOMPILED_HEADERS})
    set_property(GLOBAL PROPERTY FABRIQUE_LIBRARY_PCH_OWNER ${target})
  endif()
endfunction()

function(fabrique_precompile_test_headers target)
  if(FABRIQUE_PCH)
    target_precompile_headers(${target} PRIVATE ${FABRIQUE_PRECOMPILED_HEADERS} <filesystem> <gtest/gtest.h>)
  endif()
endfunction()

function(fabrique_reuse_test_headers target)
  if(FABRIQUE_PCH)
    target_precompile_headers(${target} REUSE_FROM fabrique_test_support)
  endif()
endfunction()
