/* SPDX-License-Identifier: Apache-2.0 */
/* test_c_api_network.c — a C11 program using an exported ugrad::Network through <ugrad/ugrad.h>
 * (UGRAD_C_DECLARE_NETWORK, written by tools/export_model.py --c-api).
 *
 * Built with -DMODEL=<name> -DMODEL_H="<name>.h" for each of a few seeded random networks (every
 * activation, every head; see mk/integration.mk). Every value the C functions return is compared,
 * bit for bit, with the same computation through the C++ API directly (reference_network.cpp);
 * then the error policy through C: a failing call returns its status and leaves quiet NaN in every
 * output it writes. Runs on the host and on an emulated Cortex-M4F. */
#include <stdio.h>
#include <string.h>

#include MODEL_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define M(suffix) CAT(MODEL, suffix)
#define STRING_(a) #a
#define STRING(a) STRING_(a)

enum { In = M(_in), Out = M(_out) };

size_t reference_label_count(void);
int reference_forward_status(const float *x);
float reference_output(const float *x, size_t k);
float reference_loss(const float *x, size_t label);
float reference_gradient(const float *x, size_t label, size_t i);
float reference_target_loss(const float *x, const float *target);
float reference_target_gradient(const float *x, const float *target, size_t i);
float reference_backward(const float *x, const float *dlogits, size_t i);

static int checks, failures;

static void check(int condition, const char *what, int sample) {
    ++checks;
    if (!condition) {
        ++failures;
        printf("FAILED: %s (sample %d)\n", what, sample);
    }
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }
static int is_nan(float v) { return v != v; }
static int all_nan(const float *v, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        if (!is_nan(v[i])) return 0;
    return 1;
}

/* xorshift32, and a float in [-1, 1) from its top 24 bits (exact in float). */
static unsigned int rng_state = 2463534242u;
static float uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

/* A target every head takes: positive entries divided by their sum (a probability vector, each in [0, 1]). */
static void make_target(float target[Out]) {
    float sum = 0.0f;
    size_t k;
    for (k = 0; k < Out; ++k) sum += (target[k] = uniform() + 1.0f);
    for (k = 0; k < Out; ++k) target[k] /= sum;
}

static void check_sample(int n) {
    float x[In], dx[In], y[Out], target[Out], dlogits[Out], loss;
    M(_activations) act;
    size_t i, k, label;
    for (i = 0; i < In; ++i) x[i] = 2.0f * uniform();
    make_target(target);
    for (k = 0; k < Out; ++k) dlogits[k] = uniform();

    check(M(_forward)(x, &act) == UGRAD_OK, "forward returns UGRAD_OK", n);
    check(reference_forward_status(x) == UGRAD_OK, "the C++ forward returns ok", n);
    M(_outputs)(&act, y);
    for (k = 0; k < Out; ++k) check(same_bits(y[k], reference_output(x, k)), "outputs", n);
    for (label = 0; label < reference_label_count(); ++label) {
        check(M(_loss)(&act, label, &loss) == UGRAD_OK, "loss returns UGRAD_OK", n);
        check(same_bits(loss, reference_loss(x, label)), "loss", n);
        check(M(_input_gradient)(&act, label, dx) == UGRAD_OK, "input_gradient returns UGRAD_OK", n);
        for (i = 0; i < In; ++i) check(same_bits(dx[i], reference_gradient(x, label, i)), "input_gradient", n);
    }
    check(M(_loss_target)(&act, target, &loss) == UGRAD_OK, "loss_target returns UGRAD_OK", n);
    check(same_bits(loss, reference_target_loss(x, target)), "loss_target", n);
    check(M(_input_gradient_target)(&act, target, dx) == UGRAD_OK, "input_gradient_target returns UGRAD_OK", n);
    for (i = 0; i < In; ++i) check(same_bits(dx[i], reference_target_gradient(x, target, i)), "input_gradient_target", n);
    check(M(_backward)(&act, dlogits, dx) == UGRAD_OK, "backward returns UGRAD_OK", n);
    for (i = 0; i < In; ++i) check(same_bits(dx[i], reference_backward(x, dlogits, i)), "backward", n);
}

static void check_error_policy(void) {
    float x[In], dx[In], y[Out], target[Out], loss;
    M(_activations) act;
    size_t i;
    for (i = 0; i < In; ++i) x[i] = 0.25f;
    make_target(target);

    /* A label past the last one the head takes (a Linear head takes none). */
    check(M(_forward)(x, &act) == UGRAD_OK, "forward on a valid x", -1);
    check(M(_loss)(&act, reference_label_count(), &loss) == UGRAD_LABEL_OUT_OF_RANGE, "label out of range: status", -1);
    check(is_nan(loss), "label out of range: loss is NaN", -1);
    check(M(_input_gradient)(&act, reference_label_count(), dx) == UGRAD_LABEL_OUT_OF_RANGE,
          "label out of range: gradient status", -1);
    check(all_nan(dx, In), "label out of range: dx all NaN", -1);

    /* A NaN in the target: no head takes it. */
    target[Out - 1] = 0.0f / 0.0f;
    check(M(_loss_target)(&act, target, &loss) == UGRAD_BAD_TARGET, "bad target: status", -1);
    check(is_nan(loss), "bad target: loss is NaN", -1);
    check(M(_input_gradient_target)(&act, target, dx) == UGRAD_BAD_TARGET, "bad target: gradient status", -1);
    check(all_nan(dx, In), "bad target: dx all NaN", -1);

    /* A NaN in x: everything forward keeps is NaN, and what follows reports it. */
    x[In - 1] = 0.0f / 0.0f;
    check(M(_forward)(x, &act) == UGRAD_NON_FINITE_INPUT, "NaN input: status", -1);
    check(reference_forward_status(x) == UGRAD_NON_FINITE_INPUT, "NaN input: the C++ status agrees", -1);
    check(all_nan(act.values, sizeof act.values / sizeof act.values[0]), "NaN input: every activation NaN", -1);
    M(_outputs)(&act, y);
    check(all_nan(y, Out), "NaN input: outputs NaN", -1);
    make_target(target);
    check(M(_loss_target)(&act, target, &loss) == UGRAD_NON_FINITE_INPUT && is_nan(loss), "loss after a failed forward", -1);
    check(M(_input_gradient_target)(&act, target, dx) != UGRAD_OK && all_nan(dx, In), "gradient after a failed forward", -1);
}

int main(void) {
    int n;
    for (n = 0; n < 25; ++n) check_sample(n);
    check_error_policy();
    printf("c_api network %s: %d inputs, %d outputs, %d checks, %d failed\n", STRING(MODEL), In, Out, checks, failures);
    return failures == 0 ? 0 : 1;
}
