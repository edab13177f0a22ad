/* SPDX-License-Identifier: Apache-2.0 */
/* ugrad/ugrad.h — the C interface to an exported ugrad model.
 *
 * C cannot instantiate the C++ templates, so each model gets a small set of named C functions:
 *
 *   In a header both sides include (tools/export_model.py --c-api writes it):
 *       #include <ugrad/ugrad.h>
 *       UGRAD_C_DECLARE(NAME, IN, HIDDEN, OUT)
 *   In one C++17 file (the exporter writes it too), after the model header that defines
 *   `inline constexpr ugrad::Mlp<IN, HIDDEN, OUT> NAME`:
 *       UGRAD_C_DEFINE(NAME)
 *
 * which gives the C program, with the shapes in brackets:
 *   NAME_activations                      struct: h [HIDDEN], dh_dr [HIDDEN], logits [OUT],
 *                                         log_probs [OUT], probs [OUT] — what forward keeps
 *   NAME_forward(x [IN], act)             ugrad::forward
 *   NAME_cross_entropy(act, label, &loss) J = -log probs[label]
 *   NAME_input_gradient(act, label, dx [IN])   dJ/dx for a class label
 *   NAME_cross_entropy_target(act, target [OUT], &loss), NAME_input_gradient_target(act, target, dx)
 *                                         the same for a soft target (a probability vector)
 *   NAME_backward(act, dlogits [OUT], dx [IN])  dx = ((dlogits·W2ᵀ) ⊙ σ'(r))·W1ᵀ
 *   NAME_in, NAME_hidden, NAME_out        the sizes, as enum constants
 * Every function returns a ugrad_status with the C++ library's meaning and error policy: on any
 * status other than UGRAD_OK every output the call writes holds quiet NaN. Pointers must be valid.
 * Write UGRAD_C_DECLARE and UGRAD_C_DEFINE without a trailing semicolon.
 *
 * Any ugrad::Network (any depth, activations and head) through the sibling pair
 *       UGRAD_C_DECLARE_NETWORK(NAME, IN, OUT, ACT_FLOATS)      in the shared header
 *       UGRAD_C_DEFINE_NETWORK(NAME)                            in one C++ file, after the model
 * where ACT_FLOATS is the number of floats NAME's Activations holds (the exporter writes it; a
 * wrong value stops the C++ file from compiling, with the right one in the message's formula:
 * Σ over layers of Out (2·Out for a sigmoid layer), plus 2·OUT for Softmax, 3·OUT for Logistic):
 *   NAME_activations                      struct holding what forward keeps (values: opaque)
 *   NAME_forward(x [IN], act)             ugrad::forward
 *   NAME_outputs(act, y [OUT])            ŷ (softmax probabilities, sigmoids, or θ for Linear)
 *   NAME_loss(act, label, &loss)          the head's J for a class label (Softmax, Logistic)
 *   NAME_loss_target(act, target [OUT], &loss)   the head's J for a target
 *   NAME_input_gradient(act, label, dx [IN]), NAME_input_gradient_target(act, target, dx)   dJ/dx
 *   NAME_backward(act, dlogits [OUT], dx [IN])  dx for any upstream dJ/dθ
 *   NAME_in, NAME_out                     the sizes, as enum constants
 * A Linear head takes no label: NAME_loss and NAME_input_gradient then return
 * UGRAD_LABEL_OUT_OF_RANGE (outputs NaN) for every label.
 *
 * Valid C (C99 and later) and C++; includes only <stddef.h> (and, in C++, <ugrad/ugrad.hpp>). */
#ifndef UGRAD_UGRAD_H
#define UGRAD_UGRAD_H

#include <stddef.h>

/* The values of ugrad::Status. */
typedef enum ugrad_status {
    UGRAD_OK = 0,
    UGRAD_LABEL_OUT_OF_RANGE = 1,
    UGRAD_NON_FINITE_INPUT = 2,
    UGRAD_BAD_TARGET = 3,
    UGRAD_NON_FINITE_RESULT = 4
} ugrad_status;

/* A short English name for logs: "ok", "label_out_of_range", ... */
static inline const char *ugrad_status_name(ugrad_status s) {
    switch (s) {
        case UGRAD_OK: return "ok";
        case UGRAD_LABEL_OUT_OF_RANGE: return "label_out_of_range";
        case UGRAD_NON_FINITE_INPUT: return "non_finite_input";
        case UGRAD_BAD_TARGET: return "bad_target";
        case UGRAD_NON_FINITE_RESULT: return "non_finite_result";
    }
    return "unknown";
}

#ifdef __cplusplus
#define UGRAD_C_LINKAGE extern "C"
#else
#define UGRAD_C_LINKAGE extern
#endif

#define UGRAD_C_DECLARE(NAME, IN, HIDDEN, OUT)                                                          \
    enum { NAME##_in = (IN), NAME##_hidden = (HIDDEN), NAME##_out = (OUT) };                            \
    typedef struct NAME##_activations {                                                                 \
        float h[HIDDEN];                                                                                \
        float dh_dr[HIDDEN];                                                                            \
        float logits[OUT];                                                                              \
        float log_probs[OUT];                                                                           \
        float probs[OUT];                                                                               \
    } NAME##_activations;                                                                               \
    UGRAD_C_LINKAGE ugrad_status NAME##_forward(const float x[IN], NAME##_activations *act);           \
    UGRAD_C_LINKAGE ugrad_status NAME##_cross_entropy(const NAME##_activations *act, size_t label,      \
                                                      float *loss);                                     \
    UGRAD_C_LINKAGE ugrad_status NAME##_cross_entropy_target(const NAME##_activations *act,             \
                                                             const float target[OUT], float *loss);     \
    UGRAD_C_LINKAGE ugrad_status NAME##_input_gradient(const NAME##_activations *act, size_t label,     \
                                                       float dx[IN]);                                   \
    UGRAD_C_LINKAGE ugrad_status NAME##_input_gradient_target(const NAME##_activations *act,            \
                                                              const float target[OUT], float dx[IN]);   \
    UGRAD_C_LINKAGE ugrad_status NAME##_backward(const NAME##_activations *act, const float dlogits[OUT], \
                                                 float dx[IN]);

#define UGRAD_C_DECLARE_NETWORK(NAME, IN, OUT, ACT_FLOATS)                                              \
    enum { NAME##_in = (IN), NAME##_out = (OUT) };                                                      \
    typedef struct NAME##_activations {                                                                 \
        float values[ACT_FLOATS];                                                                       \
    } NAME##_activations;                                                                               \
    UGRAD_C_LINKAGE ugrad_status NAME##_forward(const float x[IN], NAME##_activations *act);           \
    UGRAD_C_LINKAGE void NAME##_outputs(const NAME##_activations *act, float y[OUT]);                  \
    UGRAD_C_LINKAGE ugrad_status NAME##_loss(const NAME##_activations *act, size_t label, float *loss); \
    UGRAD_C_LINKAGE ugrad_status NAME##_loss_target(const NAME##_activations *act, const float target[OUT], \
                                                    float *loss);                                       \
    UGRAD_C_LINKAGE ugrad_status NAME##_input_gradient(const NAME##_activations *act, size_t label,     \
                                                       float dx[IN]);                                   \
    UGRAD_C_LINKAGE ugrad_status NAME##_input_gradient_target(const NAME##_activations *act,            \
                                                              const float target[OUT], float dx[IN]);   \
    UGRAD_C_LINKAGE ugrad_status NAME##_backward(const NAME##_activations *act, const float dlogits[OUT], \
                                                 float dx[IN]);

#ifdef __cplusplus
#include <ugrad/ugrad.hpp>

namespace ugrad {
namespace c_api {

static_assert(static_cast<int>(Status::ok) == UGRAD_OK && static_cast<int>(Status::label_out_of_range) ==
                  UGRAD_LABEL_OUT_OF_RANGE && static_cast<int>(Status::non_finite_input) == UGRAD_NON_FINITE_INPUT &&
                  static_cast<int>(Status::bad_target) == UGRAD_BAD_TARGET &&
                  static_cast<int>(Status::non_finite_result) == UGRAD_NON_FINITE_RESULT,
              "ugrad_status mirrors ugrad::Status");

// The C side hands over plain pointers; the library takes references to arrays. Values are copied
// across (a few hundred bytes at most) rather than reinterpreted, so no aliasing rule is bent.
template <size_t N>
void copy_in(const float* from, float (&to)[N]) noexcept {
    for (size_t i = 0; i < N; ++i) to[i] = from[i];
}
template <size_t N>
void copy_out(const float (&from)[N], float* to) noexcept {
    for (size_t i = 0; i < N; ++i) to[i] = from[i];
}

// The C struct declared by UGRAD_C_DECLARE must have the model's sizes.
template <size_t In, size_t Hidden, size_t Out, typename CActivations>
constexpr void check_shape() noexcept {
    static_assert(sizeof(CActivations::h) == Hidden * sizeof(float) &&
                      sizeof(CActivations::logits) == Out * sizeof(float),
                  "UGRAD_C_DECLARE's HIDDEN and OUT must match the model's");
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
void store(const Activations<In, Hidden, Out>& act, CActivations* c) noexcept {
    check_shape<In, Hidden, Out, CActivations>();
    copy_out(act.h, c->h);
    copy_out(act.dh_dr, c->dh_dr);
    copy_out(act.logits, c->logits);
    copy_out(act.log_probs, c->log_probs);
    copy_out(act.probs, c->probs);
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
void load(const CActivations* c, Activations<In, Hidden, Out>& act) noexcept {
    check_shape<In, Hidden, Out, CActivations>();
    copy_in(c->h, act.h);
    copy_in(c->dh_dr, act.dh_dr);
    copy_in(c->logits, act.logits);
    copy_in(c->log_probs, act.log_probs);
    copy_in(c->probs, act.probs);
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status forward(const Mlp<In, Hidden, Out>& net, const float* x, CActivations* c) noexcept {
    float xs[In];
    copy_in(x, xs);
    Activations<In, Hidden, Out> act;
    const Status s = ugrad::forward(net, xs, act);
    store(act, c);
    return static_cast<ugrad_status>(s);
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status cross_entropy(const Mlp<In, Hidden, Out>&, const CActivations* c, size_t label, float* loss) noexcept {
    Activations<In, Hidden, Out> act;
    load(c, act);
    return static_cast<ugrad_status>(ugrad::cross_entropy(act, label, *loss));
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status cross_entropy_target(const Mlp<In, Hidden, Out>&, const CActivations* c, const float* target,
                                  float* loss) noexcept {
    Activations<In, Hidden, Out> act;
    load(c, act);
    float y[Out];
    copy_in(target, y);
    return static_cast<ugrad_status>(ugrad::cross_entropy(act, y, *loss));
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status input_gradient(const Mlp<In, Hidden, Out>& net, const CActivations* c, size_t label, float* dx) noexcept {
    Activations<In, Hidden, Out> act;
    load(c, act);
    float g[In];
    const Status s = ugrad::input_gradient(net, act, label, g);
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status input_gradient_target(const Mlp<In, Hidden, Out>& net, const CActivations* c, const float* target,
                                   float* dx) noexcept {
    Activations<In, Hidden, Out> act;
    load(c, act);
    float y[Out], g[In];
    copy_in(target, y);
    const Status s = ugrad::input_gradient(net, act, y, g);
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

template <size_t In, size_t Hidden, size_t Out, typename CActivations>
ugrad_status backward(const Mlp<In, Hidden, Out>& net, const CActivations* c, const float* dlogits, float* dx) noexcept {
    Activations<In, Hidden, Out> act;
    load(c, act);
    float d[Out], g[In];
    copy_in(dlogits, d);
    const Status s = ugrad::backward(net, act, d, g);
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

// ---- Any Network. The C struct holds the bytes of what Net::Activations keeps from forward (all
// floats, trivially copyable; its last member, the backward walk's buffers, is scratch and stays on
// the C++ side); they are copied across byte by byte (unsigned char may alias anything).
template <class Net>
constexpr size_t kept_bytes() noexcept {
    return sizeof(typename Net::Activations) - sizeof(detail::WalkBuffers<typename Net::shape>);
}
template <class Net, typename CActivations>
constexpr void check_network_shape() noexcept {
    static_assert(sizeof(typename Net::value_type) == sizeof(float) && static_cast<typename Net::value_type>(0.5f) == 0.5f,
                  "the C interface serves float networks");
    static_assert(sizeof(CActivations::values) == kept_bytes<Net>(),
                  "UGRAD_C_DECLARE_NETWORK's ACT_FLOATS must be the number of floats in the network's Activations: "
                  "the sum over layers of Out (2*Out for a sigmoid layer), plus 2*OUT for Softmax, 3*OUT for Logistic");
}

template <class Net, typename CActivations>
void store(const typename Net::Activations& act, CActivations* c) noexcept {
    check_network_shape<Net, CActivations>();
    const unsigned char* from = reinterpret_cast<const unsigned char*>(&act);
    unsigned char* to = reinterpret_cast<unsigned char*>(c->values);
    for (size_t i = 0; i < kept_bytes<Net>(); ++i) to[i] = from[i];
}

template <class Net, typename CActivations>
void load(const CActivations* c, typename Net::Activations& act) noexcept {
    check_network_shape<Net, CActivations>();
    const unsigned char* from = reinterpret_cast<const unsigned char*>(c->values);
    unsigned char* to = reinterpret_cast<unsigned char*>(&act);
    for (size_t i = 0; i < kept_bytes<Net>(); ++i) to[i] = from[i];
}

template <class Net>
constexpr bool takes_labels() noexcept {
    return !detail::same_type<typename Net::head_type, Linear>::value;
}

template <class Net, typename CActivations>
ugrad_status network_forward(const Net& net, const float* x, CActivations* c) noexcept {
    float xs[Net::inputs];
    copy_in(x, xs);
    typename Net::Activations act;
    const Status s = ugrad::forward(net, xs, act);
    store<Net>(act, c);
    return static_cast<ugrad_status>(s);
}

template <class Net, typename CActivations>
void network_outputs(const Net&, const CActivations* c, float* y) noexcept {
    typename Net::Activations act;
    load<Net>(c, act);
    copy_out(ugrad::outputs(act), y);
}

template <class Net, typename CActivations>
ugrad_status network_loss(const Net&, const CActivations* c, size_t label, float* loss) noexcept {
    if constexpr (takes_labels<Net>()) {
        typename Net::Activations act;
        load<Net>(c, act);
        return static_cast<ugrad_status>(ugrad::loss(act, label, *loss));
    } else {
        (void)c;
        (void)label;
        *loss = quiet_nan<float>();
        return UGRAD_LABEL_OUT_OF_RANGE;
    }
}

template <class Net, typename CActivations>
ugrad_status network_loss_target(const Net&, const CActivations* c, const float* target, float* loss) noexcept {
    typename Net::Activations act;
    load<Net>(c, act);
    float y[Net::outputs];
    copy_in(target, y);
    return static_cast<ugrad_status>(ugrad::loss(act, y, *loss));
}

template <class Net, typename CActivations>
ugrad_status network_input_gradient(const Net& net, const CActivations* c, size_t label, float* dx) noexcept {
    float g[Net::inputs];
    Status s = Status::label_out_of_range;
    if constexpr (takes_labels<Net>()) {
        typename Net::Activations act;
        load<Net>(c, act);
        s = ugrad::input_gradient(net, act, label, g);
    } else {
        (void)net;
        (void)c;
        (void)label;
        for (float& v : g) v = quiet_nan<float>();
    }
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

template <class Net, typename CActivations>
ugrad_status network_input_gradient_target(const Net& net, const CActivations* c, const float* target,
                                           float* dx) noexcept {
    typename Net::Activations act;
    load<Net>(c, act);
    float y[Net::outputs], g[Net::inputs];
    copy_in(target, y);
    const Status s = ugrad::input_gradient(net, act, y, g);
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

template <class Net, typename CActivations>
ugrad_status network_backward(const Net& net, const CActivations* c, const float* dlogits, float* dx) noexcept {
    typename Net::Activations act;
    load<Net>(c, act);
    float d[Net::outputs], g[Net::inputs];
    copy_in(dlogits, d);
    const Status s = ugrad::backward(net, act, d, g);
    copy_out(g, dx);
    return static_cast<ugrad_status>(s);
}

}  // namespace c_api
}  // namespace ugrad

#define UGRAD_C_DEFINE_NETWORK(NAME)                                                                    \
    extern "C" ugrad_status NAME##_forward(const float* x, NAME##_activations* act) {                  \
        return ::ugrad::c_api::network_forward(NAME, x, act);                                           \
    }                                                                                                   \
    extern "C" void NAME##_outputs(const NAME##_activations* act, float* y) {                          \
        ::ugrad::c_api::network_outputs(NAME, act, y);                                                  \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_loss(const NAME##_activations* act, size_t label, float* loss) {    \
        return ::ugrad::c_api::network_loss(NAME, act, label, loss);                                    \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_loss_target(const NAME##_activations* act, const float* target, float* loss) { \
        return ::ugrad::c_api::network_loss_target(NAME, act, target, loss);                            \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_input_gradient(const NAME##_activations* act, size_t label, float* dx) { \
        return ::ugrad::c_api::network_input_gradient(NAME, act, label, dx);                            \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_input_gradient_target(const NAME##_activations* act, const float* target, \
                                                         float* dx) {                                   \
        return ::ugrad::c_api::network_input_gradient_target(NAME, act, target, dx);                    \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_backward(const NAME##_activations* act, const float* dlogits, float* dx) { \
        return ::ugrad::c_api::network_backward(NAME, act, dlogits, dx);                                \
    }

#define UGRAD_C_DEFINE(NAME)                                                                            \
    extern "C" ugrad_status NAME##_forward(const float* x, NAME##_activations* act) {                  \
        return ::ugrad::c_api::forward(NAME, x, act);                                                   \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_cross_entropy(const NAME##_activations* act, size_t label, float* loss) { \
        return ::ugrad::c_api::cross_entropy(NAME, act, label, loss);                                  \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_cross_entropy_target(const NAME##_activations* act, const float* target, \
                                                        float* loss) {                                  \
        return ::ugrad::c_api::cross_entropy_target(NAME, act, target, loss);                          \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_input_gradient(const NAME##_activations* act, size_t label, float* dx) { \
        return ::ugrad::c_api::input_gradient(NAME, act, label, dx);                                   \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_input_gradient_target(const NAME##_activations* act, const float* target, \
                                                         float* dx) {                                   \
        return ::ugrad::c_api::input_gradient_target(NAME, act, target, dx);                           \
    }                                                                                                   \
    extern "C" ugrad_status NAME##_backward(const NAME##_activations* act, const float* dlogits, float* dx) { \
        return ::ugrad::c_api::backward(NAME, act, dlogits, dx);                                        \
    }
#endif /* __cplusplus */

#endif /* UGRAD_UGRAD_H */
