// SPDX-License-Identifier: Apache-2.0
// tools/math/tanh_bits.cpp — `make TARGET=<t> tanh-bits`: float tanh's checksum on an emulated
// target (tests/math_bits.hpp), freestanding, so it runs on rv32 too, which has no doctest suite.
// Prints the sum and exits 0 only when it is the host's.
#include <stdint.h>

#include "hal.h"
#include "math_bits.hpp"

int main() {
    const uint64_t h = test::tanh_bits_hash();
    hal_write(HAL_TARGET_NAME ": tanh FNV-1a over 2^16 inputs ");
    hal_write_hex(h, 16);
    hal_write(h == test::tanh_bits_expected ? " (the host's)\n" : " (NOT the host's)\n");
    return h == test::tanh_bits_expected ? 0 : 1;
}
