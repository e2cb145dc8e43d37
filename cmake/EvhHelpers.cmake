# Helpers shared by every folder.
#
# evh_add_library(NAME ALIAS SOURCES... )  — static library with the project's warnings and an
#   evh::ALIAS alias (only aliases are linked elsewhere).
# evh_target_warnings(TARGET)            — warnings, PRIVATE, -Werror with EVH_WERROR.
# evh_embed_files(OUT VAR FILES...)       — writes a .cpp defining `evh::embedded::VAR`, a table of
#   {file name, contents} so data files ship inside the binary (nothing is read at run time).

function(evh_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports std::optional payloads as maybe-uninitialized after inlining (GCC bug 80635);
    # clang's -Wsometimes-uninitialized still guards the real cases in fuzz builds.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(EVH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(EVH_SANITIZERS)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(evh_add_library name alias)
  add_library(${name} STATIC ${ARGN})
  add_library(evh::${alias} ALIAS ${name})
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  evh_target_warnings(${name})
endfunction()

function(evh_embed_files out_cpp var)
  set(inputs ${ARGN})
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DVAR=${var} "-DFILES=${inputs}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EvhEmbed.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/EvhEmbed.cmake
    COMMENT "Embedding ${var}"
    VERBATIM)
endfunction()
