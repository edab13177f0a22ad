// Compile-fail check: an input array of the wrong size must not compile.
// Built twice by mk/checks.mk: as is (must compile), and with -DUGRAD_WRONG_SIZE (must fail).
#include <ugrad/ugrad.hpp>

ugrad::Status call(const ugrad::Mlp<4, 3, 2>& net, ugrad::Activations<4, 3, 2>& act) {
#ifdef UGRAD_WRONG_SIZE
    const float x[5] = {};  // In is 4
#else
    const float x[4] = {};
#endif
    return ugrad::forward(net, x, act);
}
