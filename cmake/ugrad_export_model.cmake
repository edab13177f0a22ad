# ugrad_export_model(TARGET <target> NAME <name> JSON <model.json> [C_API]
#                    [INT8 CALIBRATION <data.csv> [TEST <test.csv>]])
#
# At build time, runs tools/export_model.py on JSON and adds to TARGET (which links ugrad::ugrad):
#   <name>.hpp          inline constexpr ugrad::Network<...> <name> (layers format) or ugrad::Mlp<In, Hidden, Out>
#                       <name> (seed format)   (#include "<name>.hpp"); an .onnx file works too, given a Python with onnx
#   with C_API also <name>.h (for C: <name>_forward, <name>_input_gradient, ...) and
#   <name>_c_api.cpp (their definitions, compiled into TARGET; the project must enable CXX).
# With INT8, <name>.hpp holds the int8 model instead (export_model.py --quantize int8: a
#   ugrad::q8::Network <name>, <name>_input_scale[In] and <name>_input_zero_point[In]), quantized on the
#   inputs of CALIBRATION (a CSV, In numbers per line, optionally a label); the report on TEST (or
#   the calibration rows) is printed at build time. INT8 and C_API do not go together.
# The files go to ${CMAKE_CURRENT_BINARY_DIR}/ugrad_models/<target>, which is added to TARGET's include path.
function(ugrad_export_model)
    cmake_parse_arguments(ARG "C_API;INT8" "TARGET;NAME;JSON;CALIBRATION;TEST" "" ${ARGN})
    set(usage "ugrad_export_model(TARGET <target> NAME <name> JSON <model.json> [C_API] [INT8 CALIBRATION <data.csv> [TEST <test.csv>]])")
    if(NOT ARG_TARGET OR NOT ARG_NAME OR NOT ARG_JSON OR ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "${usage}")
    endif()
    if(ARG_INT8 AND (NOT ARG_CALIBRATION OR ARG_C_API))
        message(FATAL_ERROR "ugrad_export_model: INT8 needs CALIBRATION <data.csv> and does not take C_API: ${usage}")
    endif()
    if(NOT ARG_INT8 AND (ARG_CALIBRATION OR ARG_TEST))
        message(FATAL_ERROR "ugrad_export_model: CALIBRATION and TEST go with INT8: ${usage}")
    endif()
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    get_filename_component(json "${ARG_JSON}" ABSOLUTE)
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/ugrad_models/${ARG_TARGET}")
    set(outputs "${dir}/${ARG_NAME}.hpp")
    set(flags)
    set(depends "${json}" "${UGRAD_EXPORT_MODEL_SCRIPT}")
    if(ARG_C_API)
        list(APPEND outputs "${dir}/${ARG_NAME}.h" "${dir}/${ARG_NAME}_c_api.cpp")
        set(flags --c-api)
    endif()
    if(ARG_INT8)
        get_filename_component(calibration "${ARG_CALIBRATION}" ABSOLUTE)
        set(flags --quantize int8 --calibration "${calibration}")
        list(APPEND depends "${calibration}")
        if(ARG_TEST)
            get_filename_component(test "${ARG_TEST}" ABSOLUTE)
            list(APPEND flags --test "${test}")
            list(APPEND depends "${test}")
        endif()
    endif()
    add_custom_command(OUTPUT ${outputs}
                       COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
                       COMMAND Python3::Interpreter "${UGRAD_EXPORT_MODEL_SCRIPT}" "${json}" --name ${ARG_NAME}
                               --out "${dir}/${ARG_NAME}.hpp" ${flags}
                       DEPENDS ${depends}
                       COMMENT "ugrad: exporting ${ARG_JSON} as ${ARG_NAME}"
                       VERBATIM)
    target_sources(${ARG_TARGET} PRIVATE ${outputs})
    target_include_directories(${ARG_TARGET} PRIVATE "${dir}")
endfunction()
