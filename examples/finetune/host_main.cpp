// SPDX-License-Identifier: Apache-2.0
// examples/finetune/host_main.cpp — the fine-tuning run of finetune.hpp on the host: what every
// target must print, bit for bit (mk/train.mk compares them).
#include <stdio.h>

#include "finetune.hpp"

static finetune::State state;

int main() {
    const uint64_t hash = finetune::run(state, [](const char* line) { fputs(line, stdout); });
    return hash ? 0 : 1;
}
