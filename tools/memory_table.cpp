// memory_table — prints README.md's memory table: the bytes of a model (flash) and of its
// Activations (RAM) for the sizes the project measures, straight from sizeof.
#include <cstdio>

#include <ugrad/ugrad.hpp>

template <size_t In, size_t Hidden, size_t Out>
void row() {
    static_assert(sizeof(ugrad::Activations<In, Hidden, Out>) == (2 * Hidden + 3 * Out) * sizeof(float),
                  "Activations holds exactly 2·Hidden + 3·Out values");
    std::printf("| %zu-%zu-%zu | %zu B | %zu B | %zu B |\n", In, Hidden, Out, sizeof(ugrad::Mlp<In, Hidden, Out>),
                sizeof(ugrad::Activations<In, Hidden, Out>), (Hidden + Out) * sizeof(float));
}

int main() {
    std::printf("| In-Hidden-Out | `Mlp<float>` (flash) | `Activations<float>` (RAM) | stack arrays in `input_gradient` |\n");
    std::printf("|---|---|---|---|\n");
    row<16, 8, 3>();
    row<64, 32, 10>();
    row<256, 64, 10>();
    row<784, 128, 10>();
    return 0;
}
