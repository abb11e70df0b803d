# `cmake --install` support: vmbsim as a CMake package that a driver team's own repository
# consumes with find_package(vmbsim CONFIG REQUIRED). examples/consumer/ is such a repository;
# tools/test-install.sh builds it against an installed copy.
#
# Layout under the prefix:
#   include/                 the KMCL shim (vmbuskernelmodeclientlibapi.h, wdm.h, vmbsim_plugin.h, ...)
#                            and vmbsim/shim.h, vmbsim/testing/kmcl_test.h, as drivers and tests include them
#   include/vmbsim/sim, .../plugin, .../fuzz/harness
#                            the simulator's headers. The code includes them as "sim/core/..." from
#                            the project root, so include/vmbsim is an include root of its own
#                            rather than putting a directory named sim/ straight into /usr/include.
#   lib/                     the static libraries
#   bin/vmbsim               the command (plugins bind to the simulator inside it)
#   lib/cmake/vmbsim/        config, version, exported targets, vmbsim_add_scenario_tests,
#                            vmbsim_add_fuzzer
#
# The include paths above are literal because the targets' $<INSTALL_INTERFACE:...> entries
# (sim/, kmcl_shim/, plugin/, testing/) name them: both have to agree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VMBSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/vmbsim)

# A plugin (a MODULE given to `vmbsim run --driver`) must not carry its own copy of the
# simulator: its KMCL calls bind to the one inside the vmbsim executable. It needs the shim
# headers and nothing to link, which vmbsim::kmcl cannot express.
add_library(vmbsim_kmcl_headers INTERFACE)
target_include_directories(vmbsim_kmcl_headers INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/kmcl_shim/include> $<INSTALL_INTERFACE:include>)

# The simulator's headers use C++17 (std::optional, structured bindings); the build tree gets
# that from CMAKE_CXX_STANDARD, a consumer only from the target.
target_compile_features(vmbsim_core INTERFACE cxx_std_17)

set_target_properties(vmbsim_ring PROPERTIES EXPORT_NAME ring)
set_target_properties(vmbsim_core PROPERTIES EXPORT_NAME core)
set_target_properties(vmbsim_scenario PROPERTIES EXPORT_NAME scenario)
set_target_properties(vmbsim_kmcl PROPERTIES EXPORT_NAME kmcl)
set_target_properties(vmbsim_kmcl_headers PROPERTIES EXPORT_NAME kmcl_headers)
set_target_properties(vmbsim_plugin PROPERTIES EXPORT_NAME plugin)
set_target_properties(vmbsim PROPERTIES EXPORT_NAME vmbsim)
set_target_properties(vmbsim_fuzz PROPERTIES EXPORT_NAME fuzz)
set_target_properties(vmbsim_fuzz_replay_main PROPERTIES EXPORT_NAME fuzz_replay_main)

install(TARGETS vmbsim_ring vmbsim_core vmbsim_scenario vmbsim_kmcl vmbsim_kmcl_headers vmbsim_plugin vmbsim
  vmbsim_fuzz vmbsim_fuzz_replay_main
  EXPORT vmbsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT vmbsimTargets NAMESPACE vmbsim:: DESTINATION ${VMBSIM_INSTALL_CMAKEDIR})

# The GoogleTest fixture is an export set of its own, so that a team that tests with something
# else can ask for COMPONENTS kmcl and not need GoogleTest installed. It exists only when the
# tests are built (that is where GTest is found).
if(TARGET vmbsim_testing)
  set_target_properties(vmbsim_testing PROPERTIES EXPORT_NAME testing)
  install(TARGETS vmbsim_testing EXPORT vmbsimTestingTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT vmbsimTestingTargets NAMESPACE vmbsim:: DESTINATION ${VMBSIM_INSTALL_CMAKEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/testing/vmbsim DESTINATION include FILES_MATCHING PATTERN "*.h")
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/kmcl_shim/include/ DESTINATION include FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sim DESTINATION include/vmbsim FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugin DESTINATION include/vmbsim FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/fuzz/harness DESTINATION include/vmbsim/fuzz FILES_MATCHING PATTERN "*.h")

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/vmbsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vmbsimConfig.cmake
  INSTALL_DESTINATION ${VMBSIM_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vmbsimConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/vmbsimConfig.cmake
  ${PROJECT_BINARY_DIR}/vmbsimConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/VmbsimScenarioTests.cmake
  ${CMAKE_CURRENT_LIST_DIR}/VmbsimFuzz.cmake
  DESTINATION ${VMBSIM_INSTALL_CMAKEDIR})
