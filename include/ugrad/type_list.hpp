// SPDX-License-Identifier: Apache-2.0
// ugrad/type_list.hpp — the few compile-time tools a stack of layers is written with (the library
// includes no standard C++ header): type equality, the I-th type of a pack, a Chain holding one
// value of each type in order, and views of a run of values as an array of a fixed size.
#pragma once

#include <stddef.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad::detail {

template <class A, class B>
struct same_type {
    static constexpr bool value = false;
};
template <class A>
struct same_type<A, A> {
    static constexpr bool value = true;
};

// The I-th type of a pack.
template <size_t I, class L0, class... Ls>
struct nth_type {
    using type = typename nth_type<I - 1, Ls...>::type;
};
template <class L0, class... Ls>
struct nth_type<0, L0, Ls...> {
    using type = L0;
};

// Storage for one value of each type, in order (what forward keeps of every layer).
template <class O0, class... Os>
struct Chain {
    O0 first;
    Chain<Os...> rest;
};
template <class O0>
struct Chain<O0> {
    O0 first;
};
template <size_t I, class C>
constexpr auto& get(C& chain) noexcept {
    if constexpr (I == 0) return chain.first;
    else return get<I - 1>(chain.rest);
}

template <class A>
struct remove_const {
    using type = A;
};
template <class A>
struct remove_const<const A> {
    using type = A;
};

// A run of T seen as an array of N (the backward walk's two buffers hold vectors of several widths,
// and the kernels take arrays by reference so that their sizes are template parameters). p points
// into an array of T at least N long, and the view is only ever read and written entry by entry,
// as T: what Clang's -Wundefined-reinterpret-cast (in -Weverything) warns of, the access of one
// type through another, does not happen, so that warning is off here.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-reinterpret-cast"
#endif
template <size_t N, typename T>
inline T (&as_array(T* p) noexcept)[N] {
    return *reinterpret_cast<T(*)[N]>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): see above
}
template <size_t N, typename T>
inline const T (&as_array(const T* p) noexcept)[N] {
    return *reinterpret_cast<const T(*)[N]>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): see above
}
// The same run seen as an N×M matrix, row by row (a convolution's W[ky] [KW][C][F] as [KW·C][F]).
template <size_t N, size_t M, typename T>
inline const T (&as_matrix(const T* p) noexcept)[N][M] {
    return *reinterpret_cast<const T(*)[N][M]>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): see above
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// A multi-dimensional array seen as one array of all its values, in memory order (a convolution's
// W [KH][KW][C][F] as [KH·KW·C·F]): the element-wise calls (fill, descend) take it so.
template <class A>
struct array_shape {
    using element = A;
    static constexpr size_t count = 1;
};
template <class A, size_t N>
struct array_shape<A[N]> {
    using element = typename array_shape<A>::element;
    static constexpr size_t count = N * array_shape<A>::count;
};
template <typename T>
constexpr T* first_element(T& v) noexcept {
    return &v;
}
template <typename T, size_t N>
constexpr auto* first_element(T (&v)[N]) noexcept {
    return first_element(v[0]);
}
template <class A>
inline auto& flat(A& a) noexcept {
    return as_array<array_shape<A>::count>(first_element(a));
}

}  // namespace ugrad::detail

UGRAD_FP_CONTRACT_OFF_END
