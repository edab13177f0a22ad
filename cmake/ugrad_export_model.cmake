# ugrad_export_model(TARGET <target> NAME <name> JSON <model.json> [C_API])
#
# At build time, runs tools/export_model.py on JSON and adds to TARGET (which links ugrad::ugrad):
#   <name>.hpp          inline constexpr ugrad::Network<...> <name> (layers format) or ugrad::Mlp<In, Hidden, Out>
#                       <name> (seed format)   (#include "<name>.hpp"); an .onnx file works too, given a Python with onnx
#   with C_API also <name>.h (for C: <name>_forward, <name>_input_gradient, ...) and
#   <name>_c_api.cpp (their definitions, compiled into TARGET; the project must enable CXX).
# The files go to ${CMAKE_CURRENT_BINARY_DIR}/ugrad_models/<target>, which is added to TARGET's include path.
function(ugrad_export_model)
    cmake_parse_arguments(ARG "C_API" "TARGET;NAME;JSON" "" ${ARGN})
    if(NOT ARG_TARGET OR NOT ARG_NAME OR NOT ARG_JSON)
        message(FATAL_ERROR "ugrad_export_model(TARGET <target> NAME <name> JSON <model.json> [C_API])")
    endif()
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    get_filename_component(json "${ARG_JSON}" ABSOLUTE)
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/ugrad_models/${ARG_TARGET}")
    set(outputs "${dir}/${ARG_NAME}.hpp")
    set(flags)
    if(ARG_C_API)
        list(APPEND outputs "${dir}/${ARG_NAME}.h" "${dir}/${ARG_NAME}_c_api.cpp")
        set(flags --c-api)
    endif()
    add_custom_command(OUTPUT ${outputs}
                       COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
                       COMMAND Python3::Interpreter "${UGRAD_EXPORT_MODEL_SCRIPT}" "${json}" --name ${ARG_NAME}
                               --out "${dir}/${ARG_NAME}.hpp" ${flags}
                       DEPENDS "${json}" "${UGRAD_EXPORT_MODEL_SCRIPT}"
                       COMMENT "ugrad: exporting ${ARG_JSON} as ${ARG_NAME}"
                       VERBATIM)
    target_sources(${ARG_TARGET} PRIVATE ${outputs})
    target_include_directories(${ARG_TARGET} PRIVATE "${dir}")
endfunction()
