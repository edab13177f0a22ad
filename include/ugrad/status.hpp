// SPDX-License-Identifier: Apache-2.0
// ugrad/status.hpp — the one error policy: every call returns a Status, and on any status other
// than ok every output array or scalar the call writes holds quiet NaN (never stale or partial
// numbers that could be mistaken for an answer).
#pragma once

#include <stdint.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

enum class Status : uint8_t {
    ok = 0,
    label_out_of_range,  // label >= Out
    non_finite_input,    // NaN or ±inf in x, in dlogits, or in the activations handed in
    bad_target,          // a target entry negative or non-finite, or Σ target further than 1e-3 from 1
    non_finite_result,   // inputs valid but a logit or dx came out NaN/±inf: the model holds a
                         // non-finite weight, or weights so large that a sum overflows
};

// A short English name for logs: "ok", "label_out_of_range", ...
constexpr const char* status_name(Status s) noexcept {
    switch (s) {
        case Status::ok: return "ok";
        case Status::label_out_of_range: return "label_out_of_range";
        case Status::non_finite_input: return "non_finite_input";
        case Status::bad_target: return "bad_target";
        case Status::non_finite_result: return "non_finite_result";
    }
    return "unknown";
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
