# leoflow_embed_dir(<target> NAME <name> DIR <dir> [DEPENDS <targets>...])
# Adds a generated source to <target> that embeds every file under <dir>,
# reachable as leoflow::embedded::<name>() (see common/embedded.hpp).
function(leoflow_embed_dir target)
  cmake_parse_arguments(E "" "NAME;DIR" "DEPENDS" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${E_NAME}.cpp")
  add_custom_target(${target}_embed_${E_NAME}
    COMMAND ${CMAKE_COMMAND} -DDIR=${E_DIR} -DOUT=${out} -DNAME=${E_NAME}
            -DHEADER=${PROJECT_SOURCE_DIR}/common/embedded.hpp
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_dir.cmake
    BYPRODUCTS ${out}
    COMMENT "Embedding ${E_DIR}"
    VERBATIM)
  if(E_DEPENDS)
    add_dependencies(${target}_embed_${E_NAME} ${E_DEPENDS})
  endif()
  add_dependencies(${target} ${target}_embed_${E_NAME})
  target_sources(${target} PRIVATE ${out})
endfunction()
