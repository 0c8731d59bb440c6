# One test binary per directory of tests/ that holds .cpp files (tests/pb →
# fabrique_pb_tests, ...), found by a glob: a new directory gets its own binary
# at the next build. Each links only the libraries its area needs, so a change
# in src/pb relinks the pb tests, not the web tests.
#
# ctest runs each binary as a few shards (GoogleTest's GTEST_TOTAL_SHARDS and
# GTEST_SHARD_INDEX: shard k runs every n-th test), not as one process per
# test: a sanitized test process costs some 0.3 s of CPU to start, and there
# are 700 tests. A shard is named after its area (budgets_2_of_4) and labelled
# with it (`make check AREA=budgets`); a failure prints the failing tests only.
# One test by name: build-test/fabrique_budgets_tests --gtest_filter='VotingTest.*'.

# The libraries an area's tests need; any other area links everything.
set(FABRIQUE_TEST_LINK_core fabrique_core)
set(FABRIQUE_TEST_LINK_pb fabrique_pb)
set(FABRIQUE_TEST_LINK_store fabrique_store)
set(FABRIQUE_TEST_LINK_mail fabrique_mail)
set(FABRIQUE_TEST_LINK_platform fabrique_platform)
set(FABRIQUE_TEST_LINK_accounts fabrique_platform)

# Shards per area, from the time each takes (one when not listed): enough for
# the two cores to stay busy beside the browser tests.
set(FABRIQUE_TEST_SHARDS_budgets 4)
set(FABRIQUE_TEST_SHARDS_pb 8)
set(FABRIQUE_TEST_SHARDS_abuse 4)
set(FABRIQUE_TEST_SHARDS_residency 2)
set(FABRIQUE_TEST_SHARDS_store 2)
set(FABRIQUE_TEST_SHARDS_cli 2)
set(FABRIQUE_TEST_SHARDS_accounts 2)
set(FABRIQUE_TEST_SHARDS_web 2)

# Test code compiles without optimisation (FABRIQUE_TEST_CODE_OPTIONS,
# CMakeLists.txt) but in these areas, whose tests compute a lot themselves:
# the pb tests walk every unit of share and check properties against naive
# counts, and took twice as long without (262 s against 133 s of CPU).
set(FABRIQUE_TEST_AREAS_OPTIMIZED pb)

# The counting engine's tests make millions of GMP allocations, and under
# AddressSanitizer most of their time went to recording where each was made
# (35 s against 17 s for the add1 and invariance tests) and to cycling freed
# blocks through a 256 MB quarantine (the heaviest tests: 22 s against 17 s,
# a quarter of it in the kernel). Every heap error is still caught where it
# happens; a use after free is caught while the block is among the last 16 MB
# freed. For allocation stacks and the full quarantine, run the binary by hand
# without ASAN_OPTIONS.
set(FABRIQUE_TEST_ENVIRONMENT_pb ASAN_OPTIONS=malloc_context_size=0:quarantine_size_mb=16)

# What an area's results depend on, for `make check` to run again only the
# areas whose inputs changed (scripts/check-tests): its binary; the fabrique
# binary if its tests start the server or the command line; what its tests
# read at run time (tests/data through data_dir(), src/, tests/ and docs/
# through source_dir(), the pabulib set).
# Found in the area's sources and the tests/support headers they include
# (paths.hpp, which defines the three, aside). Written at each configure,
# which make check runs first.
function(fabrique_list_check_inputs area target)
  set(text "")
  foreach(source IN LISTS FABRIQUE_TEST_SOURCES_${area})
    file(READ ${source} content)
    string(APPEND text "${content}")
  endforeach()
  string(REGEX MATCHALL "#include \"support/[a-z_]+\\.hpp\"" includes "${text}")
  list(REMOVE_DUPLICATES includes)
  foreach(include IN LISTS includes)
    string(REGEX REPLACE "#include \"(support/[a-z_]+\\.hpp)\"" "\\1" header "${include}")
    if(NOT header STREQUAL "support/paths.hpp")
      file(READ ${CMAKE_SOURCE_DIR}/tests/${header} content)
      string(APPEND text "${content}")
    endif()
  endforeach()
  set(inputs "${CMAKE_BINARY_DIR}/${target}")
  # What a test names in its code → what its results then depend on.
  set(uses_server "fabrique_binary\\(\\)|support/server_process\\.hpp|support/cli_run\\.hpp")
  foreach(row IN ITEMS
      "${uses_server}=>${CMAKE_BINARY_DIR}/fabrique"
      "data_dir\\(\\)=>${CMAKE_SOURCE_DIR}/tests/data"
      "source_dir\\(\\)=>${CMAKE_SOURCE_DIR}/src\n${CMAKE_SOURCE_DIR}/tests\n${CMAKE_SOURCE_DIR}/docs"
      "pabulib_dir\\(\\)=>${FABRIQUE_PABULIB_DIR}")
    string(REGEX REPLACE "=>.*" "" pattern "${row}")
    string(REGEX REPLACE ".*=>" "" paths "${row}")
    if(text MATCHES "${pattern}")
      string(APPEND inputs "\n${paths}")
    endif()
  endforeach()
  file(WRITE ${CMAKE_BINARY_DIR}/check-inputs/${area} "${inputs}\n")
endfunction()

file(GLOB_RECURSE FABRIQUE_TEST_SOURCES CONFIGURE_DEPENDS
  RELATIVE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/tests/*.cpp)
set(FABRIQUE_TEST_AREAS "")
foreach(source IN LISTS FABRIQUE_TEST_SOURCES)
  string(REGEX REPLACE "/.*" "" area "${source}")
  if(area STREQUAL "support" OR area STREQUAL source)
    continue()
  endif()
  list(APPEND FABRIQUE_TEST_AREAS ${area})
  list(APPEND FABRIQUE_TEST_SOURCES_${area} ${CMAKE_SOURCE_DIR}/tests/${source})
endforeach()
list(REMOVE_DUPLICATES FABRIQUE_TEST_AREAS)

set(FABRIQUE_TEST_BINARIES "")
file(REMOVE_RECURSE ${CMAKE_BINARY_DIR}/check-inputs)
foreach(area IN LISTS FABRIQUE_TEST_AREAS)
  set(target fabrique_${area}_tests)
  add_executable(${target} ${FABRIQUE_TEST_SOURCES_${area}})
  if(DEFINED FABRIQUE_TEST_LINK_${area})
    set(libraries ${FABRIQUE_TEST_LINK_${area}})
  else()
    set(libraries fabrique_cli)
  endif()
  target_link_libraries(${target} PRIVATE fabrique_test_support ${libraries} GTest::gtest_main)
  if(area IN_LIST FABRIQUE_TEST_AREAS_OPTIMIZED)
    # Its own precompiled header: the shared one is compiled without optimisation.
    fabrique_precompile_test_headers(${target})
  else()
    fabrique_reuse_test_headers(${target})
    target_compile_options(${target} PRIVATE ${FABRIQUE_TEST_CODE_OPTIONS})
  endif()
  # FABRIQUE_BINARY: the tests that run the command line need it built.
  add_dependencies(${target} fabrique)
  set(shards 1)
  if(DEFINED FABRIQUE_TEST_SHARDS_${area})
    set(shards ${FABRIQUE_TEST_SHARDS_${area}})
  endif()
  math(EXPR last_shard "${shards} - 1")
  foreach(shard RANGE ${last_shard})
    set(name ${area})
    if(shards GREATER 1)
      math(EXPR number "${shard} + 1")
      set(name ${area}_${number}_of_${shards})
    endif()
    add_test(NAME ${name} COMMAND ${target} --gtest_brief=1)
    set_tests_properties(${name} PROPERTIES LABELS ${area} TIMEOUT 900 COST ${shards}
                         ENVIRONMENT "GTEST_TOTAL_SHARDS=${shards};GTEST_SHARD_INDEX=${shard};${FABRIQUE_TEST_ENVIRONMENT_${area}}")
  endforeach()
  list(APPEND FABRIQUE_TEST_BINARIES ${CMAKE_BINARY_DIR}/${target})
  fabrique_list_check_inputs(${area} ${target})
endforeach()

# `fabrique_tests [gtest options]`: every area's binary in turn, e.g.
# build-test/fabrique_tests --gtest_filter='Abuse*'. The target of the same
# name builds them all.
list(JOIN FABRIQUE_TEST_BINARIES " " FABRIQUE_TEST_BINARY_LIST)
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/fabrique_tests @ONLY CONTENT [=[#!/bin/sh
# Generated by cmake/test_areas.cmake: every test binary, with the same options.
status=0
for binary in @FABRIQUE_TEST_BINARY_LIST@; do
  "$binary" "$@" || status=1
done
exit $status
]=])
file(CHMOD ${CMAKE_BINARY_DIR}/fabrique_tests PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
     GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
add_custom_target(fabrique_tests)
foreach(area IN LISTS FABRIQUE_TEST_AREAS)
  add_dependencies(fabrique_tests fabrique_${area}_tests)
endforeach()
