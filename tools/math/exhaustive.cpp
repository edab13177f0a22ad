// SPDX-License-Identifier: Apache-2.0
// tools/math/exhaustive.cpp — ugrad::exp, ugrad::log, ugrad::sigmoid_pair and ugrad::tanh (float) on
// every one of the 2^32 binary32 inputs, against the host's double-precision libm.
//
// Error of one output, in ULPs (docs/math.md, tests/math_accuracy.hpp): |got − ref| / ulp(RN32(ref)),
// measured in double, where ref is the double result (exp(x), log(x), 1/(1+exp(−r)) for σ(r),
// 1/(1+exp(r)) for its complement σ(−r), tanh(x)) and RN32 rounds it to binary32. Where RN32(ref) is NaN or
// ±inf the output must be that value exactly.
//
// Per function it prints the largest error, the input where it first occurs, how many inputs are
// not correctly rounded (error > 0.5 ULP), a checksum of all outputs in input order, and the
// special values checked (issues 3 and 12, bit for bit). Exit status 0 only when exp and log are
// within 1 ULP, both sigmoid outputs and tanh within 2 ULP, tanh is odd bit for bit (tanh(−x) =
// −tanh(x) for every non-NaN x), and every special value is exact.
//
// The checksum is Σ_x mix(x·2^32 + bits(f(x))) mod 2^64 (mix = SplitMix64's finaliser): it binds
// each output to its input, and being a sum it does not depend on how the range is split over threads.
//
//   exhaustive [--threads N] [--from HEX --to HEX] [--markdown FILE]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <ugrad/math.hpp>

#include "math_special_values.hpp"  // tests/: issue 3's special values
#include "math_accuracy.hpp"          // tests/: the ULP error and the double references

namespace {

float from_bits(uint32_t u) { return ugrad::bit_cast<float>(u); }
uint32_t to_bits(float f) { return ugrad::bit_cast<uint32_t>(f); }

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct Stats {
    double max_err = 0;
    uint32_t max_at = 0;
    uint64_t not_correctly_rounded = 0;  // error > 0.5 ULP
    uint64_t checksum = 0;
    uint64_t failures_exact = 0;  // NaN/inf outputs that are not exactly the reference's
    uint64_t not_odd = 0;         // tanh only: non-NaN x with f(−x) not −f(x) bit for bit
    void add(uint32_t x, double err, uint32_t out_bits) {
        if (err > max_err || (err == max_err && x < max_at && err > 0)) {
            max_err = err;
            max_at = x;
        }
        if (err > 0.5) ++not_correctly_rounded;
        if (err == HUGE_VAL) ++failures_exact;
        checksum += mix((static_cast<uint64_t>(x) << 32) | out_bits);
    }
    void merge(const Stats& o) {
        if (o.max_err > max_err || (o.max_err == max_err && o.max_at < max_at && o.max_err > 0)) {
            max_err = o.max_err;
            max_at = o.max_at;
        }
        not_correctly_rounded += o.not_correctly_rounded;
        checksum += o.checksum;
        failures_exact += o.failures_exact;
        not_odd += o.not_odd;
    }
};

enum { EXP, LOG, SIG_VALUE, SIG_COMPLEMENT, TANH, NFUNC };
const char* const names[NFUNC] = {"exp", "log", "sigmoid (value)", "sigmoid (complement)", "tanh"};
const double bounds[NFUNC] = {1.0, 1.0, 2.0, 2.0, 2.0};

// Inputs [from, to); `report` prints how far it has got to stderr (one thread does).
void sweep(uint64_t from, uint64_t to, Stats (&st)[NFUNC], bool report) {
    for (uint64_t i = from; i < to; ++i) {
        if (report && (i - from) % (1u << 26) == 0 && to - from > (1u << 28))
            fprintf(stderr, "exhaustive: %3.0f%%\r", 100.0 * static_cast<double>(i - from) / static_cast<double>(to - from));
        const uint32_t xb = static_cast<uint32_t>(i);
        const float x = from_bits(xb);
        const float e = ugrad::exp(x);
        st[EXP].add(xb, test::ulp_error(e, test::ref_exp(x)), to_bits(e));
        const float l = ugrad::log(x);
        st[LOG].add(xb, test::ulp_error(l, test::ref_log(x)), to_bits(l));
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(x);
        st[SIG_VALUE].add(xb, test::ulp_error(s.value, test::ref_sigmoid(x)), to_bits(s.value));
        st[SIG_COMPLEMENT].add(xb, test::ulp_error(s.complement, test::ref_sigmoid_complement(x)),
                               to_bits(s.complement));
        const float t = ugrad::tanh(x);
        st[TANH].add(xb, test::ulp_error(t, test::ref_tanh(x)), to_bits(t));
        // odd symmetry: x's partner −x is swept too, so each input checks its own sign's counterpart
        if (!ugrad::is_nan(x) && to_bits(ugrad::tanh(-x)) != (to_bits(t) ^ 0x80000000u)) ++st[TANH].not_odd;
    }
}

// Issues 3 and 12's special values, bit for bit (tests/math_special_values.hpp).
int check_specials(std::string& report) {
    test::SpecialValue list[test::special_value_count];
    test::math_special_values(list);
    int bad = 0;
    for (const test::SpecialValue& s : list) {
        if (!s.exact()) {
            ++bad;
            char line[160];
            snprintf(line, sizeof line, "  SPECIAL WRONG: %s, got %a\n", s.what, static_cast<double>(s.got));
            report += line;
        }
    }
    char line[120];
    snprintf(line, sizeof line, "special values: %zu checked bit for bit, %d wrong\n", test::special_value_count, bad);
    report += line;
    return bad;
}

}  // namespace

int main(int argc, char** argv) {
    unsigned threads = 2;
    uint64_t from = 0, to = 1ull << 32;
    const char* markdown = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = static_cast<unsigned>(atoi(argv[++i]));
        else if (!strcmp(argv[i], "--from") && i + 1 < argc) from = strtoull(argv[++i], nullptr, 16);
        else if (!strcmp(argv[i], "--to") && i + 1 < argc) to = strtoull(argv[++i], nullptr, 16);
        else if (!strcmp(argv[i], "--markdown") && i + 1 < argc) markdown = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--threads N] [--from HEX --to HEX] [--markdown FILE]\n", argv[0]);
            return 2;
        }
    }
    if (threads < 1) threads = 1;
    const bool full = from == 0 && to == (1ull << 32);
    const auto t0 = std::chrono::steady_clock::now();

    // Thread t takes inputs [from + t·n/T, from + (t+1)·n/T).
    std::vector<std::vector<Stats>> per(threads, std::vector<Stats>(NFUNC));
    std::vector<std::thread> pool;
    const uint64_t n = to - from;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            Stats st[NFUNC];
            sweep(from + n * t / threads, from + n * (t + 1) / threads, st, t == 0);
            for (int f = 0; f < NFUNC; ++f) per[t][static_cast<size_t>(f)] = st[f];
        });
    }
    for (std::thread& th : pool) th.join();
    Stats total[NFUNC];
    for (unsigned t = 0; t < threads; ++t)
        for (int f = 0; f < NFUNC; ++f) total[f].merge(per[t][static_cast<size_t>(f)]);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::string report;
    const int special_bad = check_specials(report);
    bool ok = special_bad == 0;
    char line[400];
    snprintf(line, sizeof line, "%s inputs 0x%08llx..0x%08llx (%llu values), %u threads, %.0f s; reference: host libm in double\n\n",
             full ? "all 2^32" : "range", static_cast<unsigned long long>(from),
             static_cast<unsigned long long>(to - 1), static_cast<unsigned long long>(n), threads, seconds);
    std::string table = line;
    table += "| function | max error (ULP) | first worst input | inputs > 0.5 ULP | NaN/inf wrong | bound | checksum |\n";
    table += "|---|---|---|---|---|---|---|\n";
    for (int f = 0; f < NFUNC; ++f) {
        const Stats& s = total[f];
        const bool pass = s.max_err <= bounds[f] && s.failures_exact == 0;
        ok = ok && pass;
        snprintf(line, sizeof line, "| %s | %.4f | %a (0x%08x) | %llu | %llu | %s %.0f | %016llx |\n", names[f], s.max_err,
                 static_cast<double>(from_bits(s.max_at)), s.max_at,
                 static_cast<unsigned long long>(s.not_correctly_rounded),
                 static_cast<unsigned long long>(s.failures_exact), pass ? "<=" : "FAILS", bounds[f],
                 static_cast<unsigned long long>(s.checksum));
        table += line;
    }
    snprintf(line, sizeof line, "\ntanh(−x) = −tanh(x) bit for bit: %llu non-NaN inputs where it is not\n",
             static_cast<unsigned long long>(total[TANH].not_odd));
    table += line;
    ok = ok && total[TANH].not_odd == 0;
    table += "\n" + report;
    table += ok ? "result: PASS\n" : "result: FAIL\n";
    fputs(table.c_str(), stdout);
    if (markdown) {
        FILE* out = fopen(markdown, "w");
        if (!out) return 2;
        fputs(table.c_str(), out);
        fclose(out);
    }
    return ok ? 0 : 1;
}
