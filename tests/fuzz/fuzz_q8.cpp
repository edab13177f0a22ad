// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_q8.cpp — libFuzzer target for the int8 path (include/ugrad/q8/): arbitrary bytes
// become a small int8 network inside its documented domain (weights in [−127, 127], |bias| <= 2^30,
// multipliers m ∈ [2^30, 2^31), shifts n ∈ [1, 62], any zero points), an input, a label and a
// target, which go through q8::forward and q8::input_gradient (label and target).
//
// Input layout (missing bytes read as 0): byte 0 picks the network (sigmoid + softmax 3-4-3,
// tanh + logistic 5-3-1, relu + linear 4-6-2, relu/sigmoid + softmax 6-5-4-10); byte 1 the label
// (byte % (Out + 2): the last two are out of range); byte 2 the target's kind (a valid one built
// from the bytes, or the raw bytes, valid or not); then every parameter, the input and the target.
//
// What the target checks (it aborts on the first violation), beside ASan and UBSan (any signed
// overflow in the int32 accumulators is a finding):
//   forward    returns ok; hidden codes of sigmoid/tanh equal the code of the requantized
//              accumulator; ŷ in [0, 2^15] (Softmax, Logistic) with |Σŷ − 2^15| <= Out/2 (Softmax)
//   statuses   label_out_of_range exactly when label >= Out (Logistic with Out == 1: > 1),
//              bad_target exactly when the target breaks the documented rule, else ok
//   failures   every dx.code is invalid_code and dx.exponent 0
//   ok         no dx.code is invalid_code and |dx.code| <= 516·127·(2^15 − 1) (the proven bound)
#include <stddef.h>
#include <stdint.h>

#include <cstdio>
#include <cstdlib>

#include <ugrad/q8/q8.hpp>

namespace {

namespace q8 = ugrad::q8;
using ugrad::Status;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_q8: %s\n", what);
    std::abort();
}
#define EXPECT(cond)                 \
    do {                             \
        if (!(cond)) fail(#cond);    \
    } while (0)

struct Bytes {
    const uint8_t* at;
    size_t left;
    uint8_t byte() {
        if (left == 0) return 0;
        --left;
        return *at++;
    }
    uint32_t word() {
        uint32_t w = 0;
        for (int i = 0; i < 4; ++i) w |= uint32_t(byte()) << (8 * i);
        return w;
    }
};

template <size_t In, size_t Out, class Act>
void fill(q8::Dense<In, Out, Act>& l, Bytes& b) {
    for (auto& row : l.w)
        for (int8_t& w : row) {
            const int v = static_cast<int8_t>(b.byte());
            w = static_cast<int8_t>(v < -127 ? -127 : v);
        }
    for (size_t j = 0; j < Out; ++j) {
        const int32_t raw = static_cast<int32_t>(b.word());
        l.b[j] = raw > (1 << 30) ? (1 << 30) : raw < -(1 << 30) ? -(1 << 30) : raw;
        l.multiplier[j] = static_cast<int32_t>((1u << 30) | (b.word() & ((1u << 30) - 1)));
        l.shift[j] = static_cast<uint8_t>(1 + b.byte() % 62);
    }
    l.output_zero_point = static_cast<int8_t>(b.byte());
}

template <class Layer>
void fill_stack(q8::detail::Stack<Layer>& s, Bytes& b) {
    fill(s.layer, b);
}
template <class Layer, class Next, class... Rest>
void fill_stack(q8::detail::Stack<Layer, Next, Rest...>& s, Bytes& b) {
    fill(s.layer, b);
    fill_stack(s.rest, b);
}

// Hidden codes of sigmoid and tanh layers match the activation of the requantized accumulator.
template <class Act, size_t In, size_t Out>
void check_hidden(const q8::Dense<In, Out, Act>& l, const int8_t (&x)[In], int32_t z, const int8_t (&y)[Out]) {
    for (size_t j = 0; j < Out; ++j) {
        int64_t acc = l.b[j];
        for (size_t i = 0; i < In; ++i) acc += (int64_t(x[i]) - z) * l.w[i][j];
        EXPECT(acc > INT32_MIN && acc < INT32_MAX);
        EXPECT(y[j] == q8::activation_code(Act{}, int32_t(acc), l.multiplier[j], l.shift[j], l.output_zero_point));
    }
}

template <class Head, class First, class... Rest>
void run(Bytes& b, size_t label_byte, uint8_t target_kind) {
    using Net = q8::Network<Head, First, Rest...>;
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    static Net net;
    net.input_zero_point = static_cast<int8_t>(b.byte());
    fill_stack(net.layers, b);
    int8_t x[In];
    for (int8_t& c : x) c = static_cast<int8_t>(b.byte());
    typename Net::Activations act;
    EXPECT(q8::forward(net, x, act) == Status::ok);
    check_hidden(net.layers.layer, x, net.input_zero_point, act.y);

    const int32_t* y = q8::outputs(act);
    if (!q8::detail::is_same_head<Head, ugrad::Linear>::value) {
        int32_t sum = 0;
        for (size_t k = 0; k < Out; ++k) {
            EXPECT(y[k] >= 0 && y[k] <= q8::one_q15);
            sum += y[k];
        }
        if (q8::detail::is_same_head<Head, ugrad::Softmax>::value)
            EXPECT(sum >= q8::one_q15 - int32_t(Out / 2) - 1 && sum <= q8::one_q15 + int32_t(Out / 2) + 1);
    }

    auto check_result = [](Status s, Status expected, const q8::InputGradient<In>& dx) {
        EXPECT(s == expected);
        for (size_t i = 0; i < In; ++i) {
            if (s != Status::ok) {
                EXPECT(dx.code[i] == q8::invalid_code);
            } else {
                EXPECT(dx.code[i] != q8::invalid_code);
                EXPECT(dx.code[i] <= 516 * 127 * 32767 && dx.code[i] >= -516 * 127 * 32767);
            }
        }
        if (s != Status::ok) EXPECT(dx.exponent == 0);
    };

    q8::InputGradient<In> dx;
    if constexpr (!q8::detail::is_same_head<Head, ugrad::Linear>::value) {
        const size_t label = label_byte % (Out + 2);
        const bool single = q8::detail::is_same_head<Head, ugrad::Logistic>::value && Out == 1;
        const bool in_range = single ? label <= 1 : label < Out;
        check_result(q8::input_gradient(net, act, label, dx), in_range ? Status::ok : Status::label_out_of_range, dx);
    }

    int32_t target[Out];
    bool valid = true;
    if (q8::detail::is_same_head<Head, ugrad::Softmax>::value && target_kind % 2 == 0) {
        int32_t left = q8::one_q15;  // a valid probability vector from the bytes
        for (size_t k = 0; k + 1 < Out; ++k) left -= (target[k] = int32_t(b.word() % uint32_t(left + 1)));
        target[Out - 1] = left;
    } else {
        for (int32_t& t : target) t = static_cast<int32_t>(b.word());
        if (target_kind % 4 == 1)  // mostly in range
            for (int32_t& t : target) t = int32_t(uint32_t(t) % 32769u);
        int64_t sum = 0;
        for (int32_t t : target) {
            sum += t;
            if (q8::detail::is_same_head<Head, ugrad::Linear>::value) {
                if (t <= -(1 << 30) || t >= (1 << 30)) valid = false;
            } else if (t < 0 || t > q8::one_q15) {
                valid = false;
            }
        }
        if (q8::detail::is_same_head<Head, ugrad::Softmax>::value && (sum < q8::one_q15 - 33 || sum > q8::one_q15 + 33))
            valid = false;
    }
    check_result(q8::input_gradient(net, act, target, dx), valid ? Status::ok : Status::bad_target, dx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes b{data, size};
    const uint8_t which = b.byte();
    const size_t label = b.byte();
    const uint8_t target_kind = b.byte();
    switch (which % 4) {
        case 0: run<ugrad::Softmax, q8::Dense<3, 4, ugrad::Sigmoid>, q8::Dense<4, 3>>(b, label, target_kind); break;
        case 1: run<ugrad::Logistic, q8::Dense<5, 3, ugrad::Tanh>, q8::Dense<3, 1>>(b, label, target_kind); break;
        case 2: run<ugrad::Linear, q8::Dense<4, 6, ugrad::Relu>, q8::Dense<6, 2>>(b, label, target_kind); break;
        default:
            run<ugrad::Softmax, q8::Dense<6, 5, ugrad::Relu>, q8::Dense<5, 4, ugrad::Sigmoid>, q8::Dense<4, 10>>(b, label, target_kind);
            break;
    }
    return 0;
}
