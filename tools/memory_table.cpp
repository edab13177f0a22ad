// SPDX-License-Identifier: Apache-2.0
// memory_table — prints README.md's memory table: the bytes of a model (flash) and of its
// Activations (RAM) for the sizes the project measures, straight from sizeof; then the same for
// Network (include/ugrad/network.hpp), with the formula each figure follows checked at compile time.
#include <cstdio>

#include <ugrad/ugrad.hpp>

template <size_t In, size_t Hidden, size_t Out>
void row() {
    static_assert(sizeof(ugrad::Activations<In, Hidden, Out>) == (2 * Hidden + 3 * Out) * sizeof(float),
                  "Activations holds exactly 2·Hidden + 3·Out values");
    std::printf("| %zu-%zu-%zu | %zu B | %zu B | %zu B |\n", In, Hidden, Out, sizeof(ugrad::Mlp<In, Hidden, Out>),
                sizeof(ugrad::Activations<In, Hidden, Out>), (Hidden + Out) * sizeof(float));
}

// What forward keeps, in values of T: Σ_l Out_l (2·Out_l for a Sigmoid layer, which keeps its
// slope too), then the head's: 2·Out for Softmax (log ŷ, ŷ), 3·Out for Logistic (log ŷ, log(1 − ŷ),
// ŷ), none for Linear (ŷ = θ).
template <class Head, class... Layers>
constexpr size_t activation_values() {
    constexpr size_t out = ugrad::Network<Head, Layers...>::outputs;
    constexpr size_t head = ugrad::detail::same_type<Head, ugrad::Softmax>::value    ? 2 * out
                            : ugrad::detail::same_type<Head, ugrad::Logistic>::value ? 3 * out
                                                                                      : 0;
    return ((Layers::outputs * (ugrad::detail::same_type<typename Layers::activation, ugrad::Sigmoid>::value ? 2 : 1)) +
            ... + head);
}

// Inference holds its arena (the largest In_l + Out_l, layer 0's In not counted: x is the caller's)
// and the head's values.
template <class Net>
struct Predict {
    static constexpr size_t head = ugrad::detail::same_type<typename Net::head_type, ugrad::Softmax>::value    ? 2
                                   : ugrad::detail::same_type<typename Net::head_type, ugrad::Logistic>::value ? 3
                                                                                                                : 0;
    static constexpr bool ok = sizeof(typename Net::Inference) == (Net::Inference::arena_size + head * Net::outputs) * sizeof(float);
};

template <class Head, class... Layers>
void network_row(const char* head, const char* activations) {
    using Net = ugrad::Network<Head, Layers...>;
    using Buffers = ugrad::detail::WalkBuffers<typename Net::shape>;  // the walk's, kept in Activations
    static_assert(sizeof(typename Net::Activations) ==
                      (activation_values<Head, Layers...>() + Buffers::size1 + Buffers::size2) * sizeof(float),
                  "Activations holds what the formula says");
    static_assert(Predict<Net>::ok, "Inference holds the arena and the head's values");
    static_assert(sizeof(typename Net::Gradients) == sizeof(Net), "Gradients is shaped like the network");
    std::printf("| %s %zu", head, Net::inputs);
    ((std::printf("-%zu", Layers::outputs)), ...);
    std::printf(", %s | %zu B | %zu B | %zu B = (%zu + %zu)·4 | %zu B | %zu B | %zu B |\n", activations, sizeof(Net),
                sizeof(typename Net::Activations), (Buffers::size1 + Buffers::size2) * sizeof(float), Buffers::size1,
                Buffers::size2, sizeof(typename Net::Inference), sizeof(typename Net::Slopes),
                sizeof(typename Net::Gradients));
}

int main() {
    std::printf("| In-Hidden-Out | `Mlp<float>` (flash) | `Activations<float>` (RAM) | stack arrays in `input_gradient` |\n");
    std::printf("|---|---|---|---|\n");
    row<16, 8, 3>();
    row<64, 32, 10>();
    row<256, 64, 10>();
    row<784, 128, 10>();
    std::printf("\n`Network<Head, Dense<In, Out_0, Act_0>, ...>` (float): `Activations` holds Σ_l Out_l values "
                "(2·Out_l for a Sigmoid layer) + 2·Out (Softmax) or 3·Out (Logistic) or 0 (Linear), then the "
                "backward walk's two buffers, each as wide as the widest vector it holds (dJ/dθ [Out] first, then "
                "the layers' dJ/dr in turn), so no call keeps a vector on its stack; `Inference` (predict) holds "
                "one arena of the largest In_l + Out_l and the head's values; `Slopes` (forward + dJ/dx alone) "
                "holds each layer's slope (a ReLU layer's one bit per output, in 32-bit words; a Sigmoid or Tanh "
                "layer's Out_l values), θ, the head's values and one buffer for the forward arena and the walk's "
                "two buffers in turn; `Gradients` is shaped like the network. Each call's stack: `make network-stack`.\n\n");
    std::printf("| Network | flash (`const` network) | `Activations` (RAM) | of which the walk's buffers | `Inference` (RAM, predict) | `Slopes` (RAM, dJ/dx) | `Gradients` (RAM, training) |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    using ugrad::Dense;
    using ugrad::Relu;
    using ugrad::Sigmoid;
    using ugrad::Tanh;
    network_row<ugrad::Softmax, Dense<64, 32, Sigmoid>, Dense<32, 10>>("Softmax", "Sigmoid (Mlp's shape)");
    network_row<ugrad::Softmax, Dense<64, 32, Relu>, Dense<32, 32, Relu>, Dense<32, 10>>("Softmax", "ReLU ReLU");
    network_row<ugrad::Softmax, Dense<64, 32, Relu>, Dense<32, 16, Relu>, Dense<16, 10>>("Softmax", "ReLU ReLU");
    network_row<ugrad::Logistic, Dense<16, 8, Tanh>, Dense<8, 1>>("Logistic", "Tanh");
    network_row<ugrad::Linear, Dense<8, 16, Relu>, Dense<16, 16, Sigmoid>, Dense<16, 1>>("Linear", "ReLU Sigmoid");
    network_row<ugrad::Softmax, Dense<784, 128, Relu>, Dense<128, 64, Relu>, Dense<64, 10>>("Softmax", "ReLU ReLU");
    return 0;
}
