// The library's entry points, instantiated for float and double and given external names, so
// that mk/checks.mk can inspect the object: its undefined symbols must hold no allocator, no
// exception machinery and no libm.
#include <ugrad/ugrad.hpp>

using Net = ugrad::Mlp<64, 32, 10>;
using Act = ugrad::Activations<64, 32, 10>;
using NetD = ugrad::Mlp<64, 32, 10, double>;
using ActD = ugrad::Activations<64, 32, 10, double>;

extern "C" {
ugrad::Status ugrad_check_forward(const Net& n, const float (&x)[64], Act& a) { return ugrad::forward(n, x, a); }
ugrad::Status ugrad_check_loss(const Act& a, size_t label, float& loss) { return ugrad::cross_entropy(a, label, loss); }
ugrad::Status ugrad_check_soft_loss(const Act& a, const float (&y)[10], float& loss) {
    return ugrad::cross_entropy(a, y, loss);
}
ugrad::Status ugrad_check_gradient(const Net& n, const Act& a, size_t label, float (&dx)[64]) {
    return ugrad::input_gradient(n, a, label, dx);
}
ugrad::Status ugrad_check_soft_gradient(const Net& n, const Act& a, const float (&y)[10], float (&dx)[64]) {
    return ugrad::input_gradient(n, a, y, dx);
}
ugrad::Status ugrad_check_backward(const Net& n, const Act& a, const float (&d)[10], float (&dx)[64]) {
    return ugrad::backward(n, a, d, dx);
}
ugrad::Status ugrad_check_forward_double(const NetD& n, const double (&x)[64], ActD& a) { return ugrad::forward(n, x, a); }
ugrad::Status ugrad_check_gradient_double(const NetD& n, const ActD& a, size_t label, double (&dx)[64]) {
    return ugrad::input_gradient(n, a, label, dx);
}
}
