/* SPDX-License-Identifier: Apache-2.0 */
/* test_c_api.c — a C11 program using an exported model through <ugrad/ugrad.h>.
 *
 * The model c_model comes from tools/export_model.py --c-api (a seeded random model, see
 * mk/integration.mk). Every value the C functions return is compared, bit for bit, with the same
 * computation done through the C++ API directly (reference.cpp); then the error policy is checked
 * through C: a failing call returns its status and leaves quiet NaN in every output it writes.
 * Runs on the host and on an emulated Cortex-M4F. */
#include <stdio.h>
#include <string.h>

#include "c_model.h"

float reference_activation(const float *x, int member, size_t index);
int reference_forward_status(const float *x);
float reference_loss(const float *x, size_t label);
float reference_gradient(const float *x, size_t label, size_t i);
float reference_target_loss(const float *x, const float *target);
float reference_target_gradient(const float *x, const float *target, size_t i);
float reference_backward(const float *x, const float *dlogits, size_t i);
const char *reference_status_name(int s);

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

/* xorshift32, and a float in [-1, 1) from its top 24 bits (exact in float). */
static unsigned int rng_state = 2463534242u;
static float uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

static void check_sample(int n) {
    float x[c_model_in], dx[c_model_in], target[c_model_out], dlogits[c_model_out];
    float loss, sum = 0.0f;
    c_model_activations act;
    size_t i, k;
    for (i = 0; i < c_model_in; ++i) x[i] = uniform();
    /* A soft target: positive entries divided by their sum; dlogits anything in [-1, 1). */
    for (k = 0; k < c_model_out; ++k) sum += (target[k] = uniform() + 1.0f);
    for (k = 0; k < c_model_out; ++k) target[k] /= sum;
    for (k = 0; k < c_model_out; ++k) dlogits[k] = uniform();

    check(c_model_forward(x, &act) == UGRAD_OK, "forward returns UGRAD_OK", n);
    check(reference_forward_status(x) == UGRAD_OK, "the C++ forward returns ok", n);
    for (i = 0; i < c_model_hidden; ++i) {
        check(same_bits(act.h[i], reference_activation(x, 0, i)), "h", n);
        check(same_bits(act.dh_dr[i], reference_activation(x, 1, i)), "dh_dr", n);
    }
    for (k = 0; k < c_model_out; ++k) {
        check(same_bits(act.logits[k], reference_activation(x, 2, k)), "logits", n);
        check(same_bits(act.log_probs[k], reference_activation(x, 3, k)), "log_probs", n);
        check(same_bits(act.probs[k], reference_activation(x, 4, k)), "probs", n);
    }
    for (k = 0; k < c_model_out; ++k) {
        check(c_model_cross_entropy(&act, k, &loss) == UGRAD_OK, "cross_entropy returns UGRAD_OK", n);
        check(same_bits(loss, reference_loss(x, k)), "cross_entropy", n);
        check(c_model_input_gradient(&act, k, dx) == UGRAD_OK, "input_gradient returns UGRAD_OK", n);
        for (i = 0; i < c_model_in; ++i) check(same_bits(dx[i], reference_gradient(x, k, i)), "input_gradient", n);
    }
    check(c_model_cross_entropy_target(&act, target, &loss) == UGRAD_OK, "cross_entropy_target returns UGRAD_OK", n);
    check(same_bits(loss, reference_target_loss(x, target)), "cross_entropy_target", n);
    check(c_model_input_gradient_target(&act, target, dx) == UGRAD_OK, "input_gradient_target returns UGRAD_OK", n);
    for (i = 0; i < c_model_in; ++i) check(same_bits(dx[i], reference_target_gradient(x, target, i)), "input_gradient_target", n);
    check(c_model_backward(&act, dlogits, dx) == UGRAD_OK, "backward returns UGRAD_OK", n);
    for (i = 0; i < c_model_in; ++i) check(same_bits(dx[i], reference_backward(x, dlogits, i)), "backward", n);
}

static int all_nan(const float *v, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        if (!is_nan(v[i])) return 0;
    return 1;
}

static void check_error_policy(void) {
    float x[c_model_in], dx[c_model_in], target[c_model_out], loss;
    c_model_activations act;
    size_t i, k;
    int s;
    for (i = 0; i < c_model_in; ++i) x[i] = 0.25f;
    for (k = 0; k < c_model_out; ++k) target[k] = 0.0f;

    /* A label past the last class. */
    check(c_model_forward(x, &act) == UGRAD_OK, "forward on a valid x", -1);
    check(c_model_cross_entropy(&act, c_model_out, &loss) == UGRAD_LABEL_OUT_OF_RANGE, "label out of range: status", -1);
    check(is_nan(loss), "label out of range: loss is NaN", -1);
    check(c_model_input_gradient(&act, c_model_out, dx) == UGRAD_LABEL_OUT_OF_RANGE, "label out of range: gradient status", -1);
    check(all_nan(dx, c_model_in), "label out of range: dx all NaN", -1);

    /* A target that sums to 0. */
    check(c_model_cross_entropy_target(&act, target, &loss) == UGRAD_BAD_TARGET, "bad target: status", -1);
    check(is_nan(loss), "bad target: loss is NaN", -1);
    check(c_model_input_gradient_target(&act, target, dx) == UGRAD_BAD_TARGET, "bad target: gradient status", -1);
    check(all_nan(dx, c_model_in), "bad target: dx all NaN", -1);

    /* A NaN in x: every activation NaN, and what follows reports it. */
    x[c_model_in - 1] = 0.0f / 0.0f;
    check(c_model_forward(x, &act) == UGRAD_NON_FINITE_INPUT, "NaN input: status", -1);
    check(reference_forward_status(x) == UGRAD_NON_FINITE_INPUT, "NaN input: the C++ status agrees", -1);
    check(all_nan(act.h, c_model_hidden) && all_nan(act.dh_dr, c_model_hidden) && all_nan(act.logits, c_model_out) &&
              all_nan(act.log_probs, c_model_out) && all_nan(act.probs, c_model_out),
          "NaN input: every activation NaN", -1);
    check(c_model_cross_entropy(&act, 0, &loss) == UGRAD_NON_FINITE_INPUT && is_nan(loss), "loss after a failed forward", -1);
    check(c_model_input_gradient(&act, 0, dx) != UGRAD_OK && all_nan(dx, c_model_in), "gradient after a failed forward", -1);

    /* The status names agree with the C++ ones. */
    for (s = UGRAD_OK; s <= UGRAD_NON_FINITE_RESULT; ++s)
        check(strcmp(ugrad_status_name((ugrad_status)s), reference_status_name(s)) == 0, "ugrad_status_name", s);
}

int main(void) {
    int n;
    for (n = 0; n < 25; ++n) check_sample(n);
    check_error_policy();
    printf("c_api: model %d-%d-%d, %d checks, %d failed\n", c_model_in, c_model_hidden, c_model_out, checks, failures);
    return failures == 0 ? 0 : 1;
}
