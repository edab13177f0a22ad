/* SPDX-License-Identifier: Apache-2.0 */
/* The consumer's C11 program: the same computation as main.cpp through <ugrad/ugrad.h>. */
#include <stdio.h>

#include "tiny.h"

int main(void) {
    const float x[2] = {0.3f, -0.7f};
    tiny_activations act;
    float loss = 0.0f, dx[2];
    if (tiny_forward(x, &act) != UGRAD_OK) return 1;
    if (tiny_cross_entropy(&act, 1, &loss) != UGRAD_OK) return 1;
    if (tiny_input_gradient(&act, 1, dx) != UGRAD_OK) return 1;
    printf("p = %a %a  loss = %a  dJ/dx = %a %a\n", (double)act.probs[0], (double)act.probs[1], (double)loss, (double)dx[0],
           (double)dx[1]);
    return 0;
}
