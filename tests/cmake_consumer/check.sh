#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check.sh BUILD_DIR — build this consumer project against the ugrad tree three ways and check that
# every resulting program prints the same bits:
#   1. CMake, add_subdirectory(ugrad)             (consumer_cpp and consumer_c)
#   2. CMake, find_package(ugrad) after `cmake --install` of ugrad into BUILD_DIR/prefix
#   3. no CMake: g++ with `pkg-config --cflags ugrad` from that prefix
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/cmake_consumer"
build=$(mkdir -p "$1" && cd "$1" && pwd)
rm -rf "$build/subdirectory" "$build/ugrad" "$build/prefix" "$build/package" "$build/pkg-config"
quiet() { "$@" > "$build/last.log" 2>&1 || { cat "$build/last.log"; echo "cmake consumer: FAIL: $*"; exit 1; }; }

quiet cmake -S "$here" -B "$build/subdirectory" -DUGRAD_FROM=subdirectory -DUGRAD_SOURCE_DIR="$root"
quiet cmake --build "$build/subdirectory"

quiet cmake -S "$root" -B "$build/ugrad" -DCMAKE_INSTALL_PREFIX="$build/prefix"
quiet cmake --install "$build/ugrad"
grep -q "Apache License" "$build/prefix/share/doc/ugrad/LICENSE" || { echo "cmake consumer: FAIL: the install has no share/doc/ugrad/LICENSE"; exit 1; }
quiet cmake -S "$here" -B "$build/package" -DUGRAD_FROM=package -DCMAKE_PREFIX_PATH="$build/prefix"
quiet cmake --build "$build/package"

mkdir -p "$build/pkg-config"
quiet python3 "$build/prefix/share/ugrad/export_model.py" "$here/tiny_model.json" --name tiny --out "$build/pkg-config/tiny.hpp"
cflags=$(PKG_CONFIG_PATH="$build/prefix/share/pkgconfig" pkg-config --cflags ugrad)
# shellcheck disable=SC2086  # cflags is a list of flags
quiet g++ -std=c++17 -Wall -Wextra -Werror $cflags -I"$build/pkg-config" "$here/main.cpp" -o "$build/pkg-config/consumer_cpp"
# The installed exporter's int8 path (it imports quantize.py, q8_model.py, q8_report.py, q8_tables.py
# from its own directory), outside the source tree.
quiet python3 "$build/prefix/share/ugrad/export_model.py" "$here/tiny_model.json" --name tiny_q8 --out "$build/pkg-config/tiny_q8.hpp" \
    --quantize int8 --calibration "$here/tiny_calibration.csv"
# shellcheck disable=SC2086
quiet g++ -std=c++17 -Wall -Wextra -Werror $cflags -I"$build/pkg-config" "$here/main_q8.cpp" -o "$build/pkg-config/consumer_q8"

reference=$("$build/subdirectory/consumer_cpp")
for program in subdirectory/consumer_c package/consumer_cpp package/consumer_c pkg-config/consumer_cpp; do
    got=$("$build/$program")
    if [ "$got" != "$reference" ]; then
        echo "cmake consumer: FAIL: $program printed '$got', subdirectory/consumer_cpp printed '$reference'"
        exit 1
    fi
done
q8_reference=$("$build/subdirectory/consumer_q8")
for program in package/consumer_q8 pkg-config/consumer_q8; do
    got=$("$build/$program")
    if [ "$got" != "$q8_reference" ]; then
        echo "cmake consumer: FAIL: $program printed '$got', subdirectory/consumer_q8 printed '$q8_reference'"
        exit 1
    fi
done
echo "cmake consumer: add_subdirectory, find_package (installed) and pkg-config builds, C++ and C, all print: $reference"
echo "cmake consumer: int8 (ugrad_export_model INT8, and the installed export_model.py --quantize int8) all print: $q8_reference"
