#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""minimax.py — derive the constants of include/ugrad/math.hpp (float exp, log and tanh).

Standard library only: the functions are summed from their Taylor series in exact rational
arithmetic (fractions.Fraction), the best polynomial is found by the Remez exchange algorithm,
and every constant is rounded to binary32 by struct. Prints C++ ready to read against math.hpp,
and for each polynomial the bound on its approximation error (before any rounding in float)
that docs/math.md uses.

  python3 tools/math/minimax.py
"""
import struct
from fractions import Fraction as F
from math import factorial

N_EXP = 16                      # exp's table: 2^(j/16), j = 0..15
SERIES_TERMS = 30               # Taylor terms summed; the tail is below 1e-40 on both ranges


def to_f32(q):
    """Round a rational to the nearest binary32 (via double; fine for these magnitudes)."""
    return struct.unpack("<f", struct.pack("<f", float(q)))[0]


def f32_exact(q):
    """The binary32 nearest q, as an exact rational, correctly rounded (ties to even)."""
    if q == 0:
        return F(0)
    sign = -1 if q < 0 else 1
    a = abs(q)
    e = 0
    while a >= 2:
        a /= 2
        e += 1
    while a < 1:
        a *= 2
        e -= 1
    m = a * 2**23                 # in [2^23, 2^24)
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem > F(1, 2) or (rem == F(1, 2) and fl % 2 == 1):
        fl += 1
    return sign * F(fl) * F(2) ** (e - 23)


def hexf(q):
    return float(q).hex()


def ln2():
    # ln 2 = sum 1/(k 2^k)
    return sum(F(1, k * 2**k) for k in range(1, 140))


def fix(q):
    """q rounded to a multiple of 2^-160: keeps the rationals small, and far below any error here."""
    return F(round(q * 2**160), 2**160)


def horner(coeffs, x):
    """sum coeffs[i] x^i, each step cut by fix()."""
    acc = F(0)
    for c in reversed(coeffs):
        acc = fix(acc * x + c)
    return acc


EXP_G = [F(1, factorial(k)) for k in range(2, SERIES_TERMS)]
EXP = [F(1, factorial(k)) for k in range(SERIES_TERMS)]
LOG_LG = [F(2, 2 * k + 1) for k in range(1, SERIES_TERMS)]


def bernoulli(n):
    """B_0..B_n (B_1 = -1/2), from sum_{k<=m} C(m+1, k) B_k = 0."""
    from math import comb
    b = [F(1)]
    for m in range(1, n + 1):
        b.append(-sum(comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


# tanh x / x = sum_{n>=1} 2^(2n) (2^(2n) - 1) B_2n / (2n)! z^(n-1), z = x^2; converges for |x| < pi/2,
# and 50 terms leave a tail below 1e-45 at |x| = 0.55.
_B = bernoulli(100)
TANH_OVER_X = [F(2 ** (2 * n) * (2 ** (2 * n) - 1)) * _B[2 * n] / factorial(2 * n) for n in range(1, 51)]


def tanh_over_x(z):
    return horner(TANH_OVER_X, z)


def tanh_g(z):
    """(tanh(x)/x - 1)/z, z = x^2: what tanh's polynomial P approximates."""
    return horner(TANH_OVER_X[1:], z)


def exp_g(r):
    """(e^r - 1 - r) / r^2 = sum_{k>=2} r^(k-2)/k!"""
    return horner(EXP_G, r)


def exp_series(r):
    return horner(EXP, r)


def log_lg(z):
    """R(z)/z where R(z) = 2 atanh(s)/s - 2 = sum_{k>=1} 2 z^k/(2k+1), z = s^2."""
    return horner(LOG_LG, z)


def solve(a, b):
    """Gaussian elimination in exact rationals: a x = b."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def remez(f, w, n, lo, hi, iters=12, grid=1500):
    """Coefficients c[0..n-1] minimising max |w(x)(f(x) - sum c_i x^i)| on [lo, hi]."""
    import math
    # Chebyshev nodes as the first reference.
    ref = [F(lo + hi) / 2 - F(hi - lo) / 2 * F(math.cos(math.pi * i / n)).limit_denominator(10**12)
           for i in range(n + 1)]
    pts = [F(lo) + F(hi - lo) * F(i, grid) for i in range(grid + 1)]
    fv = {x: f(x) for x in pts}
    for _ in range(iters):
        a = [[x**i for i in range(n)] + [F((-1) ** j) / w(x) if w(x) != 0 else F(0)] for j, x in enumerate(ref)]
        sol = solve(a, [f(x) for x in ref])
        c = [fix(ci) for ci in sol[:n]]

        def err(x):
            v = fv[x] if x in fv else f(x)
            return w(x) * (v - sum(ci * x**i for i, ci in enumerate(c)))
        ev = [err(x) for x in pts]
        # Local extrema of the error on the grid, then keep n+1 alternating ones of largest size.
        ext = []
        for i, x in enumerate(pts):
            left = ev[i - 1] if i > 0 else None
            right = ev[i + 1] if i < grid else None
            v = ev[i]
            if (left is None or abs(v) >= abs(left)) and (right is None or abs(v) >= abs(right)) and v != 0:
                ext.append((x, v))
        # Merge same-sign neighbours, keeping the larger.
        alt = []
        for x, v in ext:
            if alt and (alt[-1][1] > 0) == (v > 0):
                if abs(v) > abs(alt[-1][1]):
                    alt[-1] = (x, v)
            else:
                alt.append((x, v))
        while len(alt) > n + 1:
            # drop the smaller end
            if abs(alt[0][1]) < abs(alt[-1][1]):
                alt.pop(0)
            else:
                alt.pop()
        if len(alt) == n + 1:
            ref = [x for x, _ in alt]
    maxerr = max(abs(v) for v in ev)
    return c, maxerr


def log2f(q):
    import math
    return math.log2(float(q)) if q else float("-inf")


def main():
    L2 = ln2()

    # ---- exp: e^r - 1 = r + r^2 (c2 + c3 r) on |r| <= ln2/32, weight r^2 e^-r (relative error of e^r).
    rmax = L2 / (2 * N_EXP)
    rmax_pad = rmax * F(1001, 1000)           # a little margin for the rounding of r
    c, e = remez(exp_g, lambda r: r * r * (1 - r + r * r / 2 - r**3 / 6), 2, -rmax_pad, rmax_pad)
    c32 = [f32_exact(x) for x in c]
    # error with the float coefficients, on a fine grid
    worst = max(abs(r * r * (exp_g(r) - c32[0] - c32[1] * r)) / exp_series(r)
                for r in [-rmax_pad + 2 * rmax_pad * F(i, 4000) for i in range(4001)])
    print("// exp: e^r - 1 ~ r + r^2 (c2 + c3 r), |r| <= ln2/32 = %.6g" % float(rmax))
    print("//   minimax relative error %.3e = 2^%.2f; with float coefficients 2^%.2f"
          % (float(e), log2f(e), log2f(worst)))
    print("constexpr float exp_c2 = %sf;  // %s" % (repr(float(c32[0])), hexf(c32[0])))
    print("constexpr float exp_c3 = %sf;  // %s" % (repr(float(c32[1])), hexf(c32[1])))

    # Cody-Waite split of ln2/16: the high part has 12 significant bits so that k*hi is exact
    # for |k| < 2^12 (|x| <= 104 gives |k| <= 2401).
    c_full = L2 / N_EXP
    k = 0
    while c_full * 2**k < 2**11:
        k += 1
    hi = F(round(c_full * 2**k), 2**k)
    lo = f32_exact(c_full - hi)
    inv = f32_exact(N_EXP / L2)
    print("constexpr float exp_inv_step = %sf;  // 16/ln2 = %s" % (repr(float(inv)), hexf(inv)))
    print("constexpr float exp_step_hi = %sf;  // ln2/16, 12 bits: %s" % (repr(float(hi)), hexf(hi)))
    print("constexpr float exp_step_lo = %sf;  // %s; |ln2/16 - hi - lo| = 2^%.1f"
          % (repr(float(lo)), hexf(lo), log2f(abs(c_full - hi - lo))))

    # Table 2^(j/16) as hi + lo: hi = binary32 nearest, lo = binary32 nearest the remainder.
    # 2^(j/16) is irrational for j != 0: Newton's method on y^16 = 2^j, in rationals cut to 60 digits.
    print("// 2^(j/16) = hi + lo, j = 0..15")
    print("constexpr ExpTableEntry exp_table[16] = {")
    for j in range(N_EXP):
        y = F(2 ** (j / 16))
        for _ in range(6):
            y = y - (y**16 - 2**j) / (16 * y**15)
            y = F(y.numerator * 10**60 // y.denominator, 10**60)
        h = f32_exact(y)
        l = f32_exact(y - h)
        residue = abs(y - h - l)
        print("    {%rf, %rf},  // 2^(%d/16) = %s + %s, residue %s"
              % (float(h), float(l), j, hexf(h), hexf(l), "0" if residue < F(1, 10**50) else "2^%.1f" % log2f(residue)))
    print("};")

    # ---- log: R(z)/z ~ Lg(z) = L1 + L2 z + L3 z^2 + L4 z^3, z = s^2 <= (3 - 2 sqrt2)^2, weight z.
    smax = F(0.17157287525380990)  # (sqrt2 - 1)/(sqrt2 + 1)
    zmax = smax * smax * F(1001, 1000)
    c, e = remez(log_lg, lambda z: z, 4, F(0), zmax)
    c32 = [f32_exact(x) for x in c]
    worst = max(abs(z * (log_lg(z) - sum(ci * z**i for i, ci in enumerate(c32))))
                for z in [zmax * F(i, 4000) for i in range(4001)])
    print("// log: (2 atanh(s) - 2s)/s = R(z) ~ z (L1 + L2 z + L3 z^2 + L4 z^3), z = s^2 <= %.6g" % float(zmax))
    print("//   minimax |R - approx| %.3e = 2^%.2f; with float coefficients 2^%.2f"
          % (float(e), log2f(e), log2f(worst)))
    for i, ci in enumerate(c32):
        print("constexpr float log_c%d = %sf;  // %s" % (i + 1, repr(float(ci)), hexf(ci)))
    # ln2 split: |k| <= 149 needs 8 bits, so a 16-bit hi keeps k*hi exact.
    k = 0
    while L2 * 2**k < 2**15:
        k += 1
    hi = F(round(L2 * 2**k), 2**k)
    lo = f32_exact(L2 - hi)
    print("constexpr float ln2_hi = %sf;  // 16 bits: %s" % (repr(float(hi)), hexf(hi)))
    print("constexpr float ln2_lo = %sf;  // %s; |ln2 - hi - lo| = 2^%.1f"
          % (repr(float(lo)), hexf(lo), log2f(abs(L2 - hi - lo))))

    # ---- tanh: tanh x ~ x + x z P(z), P of degree 4, on |x| <= 1.001 * 0.55 (z = x^2); the weight
    # z / (tanh(x)/x) makes it the error relative to tanh x.
    zmax = (F(0.55) * F(1001, 1000)) ** 2
    c, e = remez(tanh_g, lambda z: z / tanh_over_x(z), 5, F(0), zmax, grid=800)
    c32 = [f32_exact(x) for x in c]
    worst = max(abs(z * (tanh_g(z) - sum(ci * z**i for i, ci in enumerate(c32))) / tanh_over_x(z))
                for z in [zmax * F(i, 3000) for i in range(3001)])
    print("// tanh: tanh x ~ x + x z (c1 + c2 z + c3 z^2 + c4 z^3 + c5 z^4), z = x^2 <= %.6g" % float(zmax))
    print("//   minimax relative error %.3e = 2^%.2f; with float coefficients 2^%.2f"
          % (float(e), log2f(e), log2f(worst)))
    for i, ci in enumerate(c32):
        print("constexpr float tanh_c%d = %sf;  // %s" % (i + 1, repr(float(ci)), hexf(ci)))


if __name__ == "__main__":
    main()
