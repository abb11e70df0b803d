# vmbsim_add_fuzzer(NAME <name> SOURCES <file>... [LIBRARIES <lib>...] [DEFINITIONS <def>...]
#                   [CORPUS <dir>...])
#
# One fuzz target (a source file defining LLVMFuzzerTestOneInput, usually with
# vmbsim::fuzz::fuzz_one). Built two ways:
#  * with VMBSIM_BUILD_FUZZERS: <name>, a fuzzer linked with the engine — $LIB_FUZZING_ENGINE
#    when set (OSS-Fuzz, ClusterFuzzLite, AFL++'s driver), else clang's -fsanitize=fuzzer;
#  * otherwise (unless VMBSIM_BUILD_TESTS is OFF): <name>_replay, the same function behind a plain main, and
#    a ctest test fuzz.<name>.corpus that replays the CORPUS directories (seeds, saved crash
#    reproducers of bugs since fixed), so every
#    build — any compiler, sanitized or not — runs them.
function(vmbsim_add_fuzzer)
  cmake_parse_arguments(F "" "NAME" "SOURCES;LIBRARIES;DEFINITIONS;CORPUS" ${ARGN})
  if(NOT F_NAME OR NOT F_SOURCES)
    message(FATAL_ERROR "vmbsim_add_fuzzer: NAME and SOURCES are required")
  endif()
  if(VMBSIM_BUILD_FUZZERS)
    if(DEFINED ENV{LIB_FUZZING_ENGINE})
      separate_arguments(engine UNIX_COMMAND "$ENV{LIB_FUZZING_ENGINE}")
    else()
      set(engine -fsanitize=fuzzer)
    endif()
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBRARIES} vmbsim::fuzz ${engine})
    target_compile_definitions(${F_NAME} PRIVATE ${F_DEFINITIONS})
    if(NOT PROJECT_NAME STREQUAL "vmbsim" AND NOT DEFINED ENV{LIB_FUZZING_ENGINE})
      # A team's own build (vmbsim's instruments itself): coverage and sanitizers for the target
      # and the driver libraries it names; the installed simulator stays as it was built.
      set(instrument -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
      target_compile_options(${F_NAME} PRIVATE ${instrument})
      target_link_options(${F_NAME} PRIVATE -fsanitize=address,undefined)
      foreach(lib IN LISTS F_LIBRARIES)
        if(TARGET ${lib})
          get_target_property(imported ${lib} IMPORTED)
          get_target_property(type ${lib} TYPE)
          if(NOT imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
            target_compile_options(${lib} PRIVATE ${instrument})
          endif()
        endif()
      endforeach()
    endif()
  elseif(NOT DEFINED VMBSIM_BUILD_TESTS OR VMBSIM_BUILD_TESTS)
    add_executable(${F_NAME}_replay ${F_SOURCES})
    target_link_libraries(${F_NAME}_replay PRIVATE ${F_LIBRARIES} vmbsim::fuzz vmbsim::fuzz_replay_main)
    target_compile_definitions(${F_NAME}_replay PRIVATE ${F_DEFINITIONS})
    if(F_CORPUS)
      add_test(NAME fuzz.${F_NAME}.corpus COMMAND ${F_NAME}_replay ${F_CORPUS})
    endif()
  endif()
endfunction()
