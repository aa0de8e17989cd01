# minivpc_layer(NAME DEPS ...): one static library per layer folder, built
# from every *.cc under the folder except *_test.cc, plus one GoogleTest
# binary NAME_test from the *_test.cc files (registered with CTest, label
# "unit"). Globbing keeps each layer's file list in one place: the folder.
function(minivpc_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS;EXTRA_SRCS" ${ARGN})
  file(GLOB_RECURSE all_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(lib_srcs ${ARG_EXTRA_SRCS})
  set(test_srcs)
  foreach(f ${all_srcs})
    if(f MATCHES "_test\\.cc$")
      list(APPEND test_srcs ${f})
    elseif(NOT f MATCHES "(_fuzz|_bench|/main)\\.cc$")
      list(APPEND lib_srcs ${f})
    endif()
  endforeach()
  if(lib_srcs)
    add_library(minivpc_${name} STATIC ${lib_srcs})
    target_include_directories(minivpc_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(minivpc_${name} PUBLIC ${ARG_DEPS})
  else()  # a layer still being written: headers only
    add_library(minivpc_${name} INTERFACE)
    target_include_directories(minivpc_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(minivpc_${name} INTERFACE ${ARG_DEPS})
  endif()
  if(test_srcs)
    add_executable(${name}_test ${test_srcs})
    target_link_libraries(${name}_test PRIVATE minivpc_${name} ${ARG_TEST_DEPS}
                          GTest::gtest GTest::gtest_main GTest::gmock)
    add_test(NAME ${name}_test COMMAND ${name}_test --gtest_brief=1)
    set_tests_properties(${name}_test PROPERTIES LABELS unit)
  endif()
endfunction()
