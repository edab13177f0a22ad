// SPDX-License-Identifier: Apache-2.0
// ugrad/arrays.hpp — the checks and fills every call makes on its arrays: every entry finite (one
// pass, no branch per entry), fill with a value, a target that is a probability vector, and a
// failed call's NaN outputs.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/fp_contract.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/math.hpp>
#include <ugrad/status.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad::detail {

// Every entry finite? One pass without a branch per entry (it vectorizes on x86; on a Cortex-M it
// costs about four instructions an entry unrolled at -O2, seven in -Os's one loop): an entry is NaN or ±inf exactly when its exponent field
// is all ones, that is when adding 1 at the field's lowest bit carries out of the field into the
// sign position; OR-ing those sums flags any such entry.
constexpr bool all_finite_bits(const float* v, size_t n) noexcept {
    uint32_t carries = 0;
#pragma GCC unroll 8
    for (size_t i = 0; i < n; ++i) carries |= (bit_cast<uint32_t>(v[i]) & 0x7f800000u) + 0x00800000u;
    return (carries >> 31) == 0;
}
#if UGRAD_HAS_TARGET_UPDATES
// On a core with its own loops (include/ugrad/kernels.hpp): Σ v_i·0 by its FPU, ±0 exactly when
// every entry is finite (ugrad/armv7em_vfp/updates.hpp), about 1.4 instructions an entry.
inline bool all_finite(const float* v, size_t n) noexcept {
    return target::non_finite_bits(v, n) == 0;
}
#else
constexpr bool all_finite(const float* v, size_t n) noexcept {
    return all_finite_bits(v, n);
}
#endif
constexpr bool all_finite(const double* v, size_t n) noexcept {
    uint64_t carries = 0;
    for (size_t i = 0; i < n; ++i)
        carries |= (bit_cast<uint64_t>(v[i]) & 0x7ff0000000000000ull) + 0x0010000000000000ull;
    return (carries >> 63) == 0;
}
// The array form hands the work to the loop above: one copy per type, shared by every size in
// the program (what an -Os build keeps out of line).
template <size_t N, typename T>
constexpr bool all_finite(const T (&v)[N]) noexcept {
    return all_finite(&v[0], N);
}

template <size_t N, typename T>
constexpr void fill(T (&v)[N], T value) noexcept {
    for (size_t i = 0; i < N; ++i) v[i] = value;
}

// Every value of an [N][M] array finite.
template <size_t N, size_t M, typename T>
constexpr bool all_finite(const T (&v)[N][M]) noexcept {
    bool finite = true;
    for (size_t i = 0; i < N; ++i) finite = finite && all_finite(v[i]);
    return finite;
}

template <size_t N, size_t M, typename T>
constexpr void fill(T (&v)[N][M], T value) noexcept {
    for (size_t i = 0; i < N; ++i) fill(v[i], value);
}

// A target is a probability vector: every entry finite and >= 0, Σ (k ascending) within 1e-3 of 1.
template <size_t Out, typename T>
constexpr bool valid_target(const T (&target)[Out]) noexcept {
    T sum = T(0);
    for (size_t k = 0; k < Out; ++k) {
        if (!is_finite(target[k]) || target[k] < T(0)) return false;
        sum = sum + target[k];
    }
    const T deviation = sum > T(1) ? sum - T(1) : T(1) - sum;
    return deviation <= T(1e-3);
}

template <typename T, size_t N>
constexpr Status fail(Status s, T (&out)[N]) noexcept {
    fill(out, quiet_nan<T>());
    return s;
}

}  // namespace ugrad::detail

UGRAD_FP_CONTRACT_OFF_END
