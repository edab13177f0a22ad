// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/armv7em.hpp — the Armv7E-M DSP instructions of the int8 kernels, as
// ugrad::tflite::armv7em: the shared wrappers of ugrad/armv7em_dsp.hpp (one asm statement each, the
// instructions listed there); included only where __ARM_FEATURE_DSP is defined.
#pragma once

#include <ugrad/armv7em_dsp.hpp>

namespace ugrad::tflite {
namespace armv7em = ::ugrad::armv7em_dsp;
}  // namespace ugrad::tflite
