// exp(x) written so that the compiler can vectorise loops calling it (no
// library call, no branch): range reduction x = k ln2 + r, |r| <= ln2/2,
// a degree-13 Taylor polynomial for exp(r) (truncation < 1e-17 relative),
// and 2^k built in the exponent bits. Within 1 ulp of std::exp (measured
// in test/unit/cable_hines_solver_test.cpp) for |x| <= 700; outside that the
// result is meaningless (no clamp: a compare-and-select stops GCC from
// vectorising under its default -ftrapping-math). The hh rates stay far
// inside for any |v| < 7000 mV. glibc's exp is a call the loops cannot
// vectorise: the hh state update spends most of its time there otherwise.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ranvier::cable {

namespace detail {

// x = k ln2 + r: exp(r) as `p`, k as a double, and `shifted` (k in the low
// mantissa bits) for building 2^k.
struct exp_parts {
    double p, k, shifted;
};

inline constexpr double round_magic = 6755399441055744.0; // 1.5 * 2^52: rounds to integer

[[gnu::always_inline]] inline exp_parts exp_reduced(double x) {
    constexpr double log2e = 1.4426950408889634;
    constexpr double ln2_hi = 6.93147180369123816490e-01; // high bits of ln 2 (exact k*ln2_hi)
    constexpr double ln2_lo = 1.90821492927058770002e-10; // ln 2 - ln2_hi
    const double shifted = x * log2e + round_magic; // low mantissa bits hold k
    const double k = shifted - round_magic;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    // Taylor polynomial to degree 13 by Estrin's scheme rather than Horner's:
    // the same terms, but a dependency chain of ~10 operations instead of 26,
    // so that the several independent exps of an hh state update overlap
    // (the update was latency bound). The leading 1 + r + r² t is summed last,
    // smallest terms first, which keeps the result within 1 ulp.
    const double r2 = r * r;
    const double r4 = r2 * r2;
    const double c23 = 1.0 / 2 + r * (1.0 / 6);
    const double c45 = 1.0 / 24 + r * (1.0 / 120);
    const double c67 = 1.0 / 720 + r * (1.0 / 5040);
    const double c89 = 1.0 / 40320 + r * (1.0 / 362880);
    const double c1011 = 1.0 / 3628800 + r * (1.0 / 39916800);
    const double c1213 = 1.0 / 479001600 + r * (1.0 / 6227020800);
    const double c4_7 = c45 + r2 * c67;
    const double c8_13 = (c89 + r2 * c1011) + r4 * c1213;
    const double t = (c23 + r2 * c4_7) + r4 * (r2 * c8_13); // sum over k >= 2 of r^(k-2)/k!
    return {1.0 + (r + r2 * t), k, shifted};
}

// 2^k from a `shifted` value: (k + 1023) in the exponent field; the magic
// number's own bits shift out of the 64-bit word.
[[gnu::always_inline]] inline double power_of_two_bits(std::uint64_t shifted_bits) {
    return std::bit_cast<double>((shifted_bits + 1023u) << 52);
}

[[gnu::always_inline]] inline double power_of_two(double shifted) {
    return power_of_two_bits(std::bit_cast<std::uint64_t>(shifted));
}

} // namespace detail

[[gnu::always_inline]] inline double fast_exp(double x) {
    const detail::exp_parts e = detail::exp_reduced(x);
    return e.p * detail::power_of_two(e.shifted);
}

// NMODL's exp in translated mechanisms (src/nmodl/translate.py maps exp
// here), with NEURON's semantics: nocmodl compiles a .mod file's exp to
// hoc_Exp, which returns 0 for x < -700 and exp(700) for x > 700 (and
// prints "exp result out of range" for the latter; nothing is printed
// here), std::exp(x) between. fast_exp is within 1 ulp of std::exp for
// |x| <= 700 and meaningless beyond, where the selects replace it; a NaN
// fails both compares and gives NaN. No branch and no library call, so
// loops calling it still vectorise (with -fno-trapping-math, which the
// built-ins and catalogues are compiled with: the discarded values beyond
// 700 may raise flags, never trap).
//
// Why selects on the result and not a clamp of x: GCC turns
// fast_exp(clamp(x)) into exactly these selects (it folds fast_exp of each
// bound), plus the clamp's own compares. Until 2026-12-01 this function
// gave std::exp's value for every double (inf above 709.78, subnormals
// below -708) by forming 2^k as two factors; NEURON's rule is what the
// references are computed with and costs 5 fewer vector operations per exp
// (hh's state update: 259 -> 235 instructions per instance and step,
// docs/nmodl.md).
inline constexpr double neuron_exp_700 = 1.0142320547350045e+304; // std::exp(700.0), NEURON's cap

[[gnu::always_inline]] inline double guarded_exp(double x) {
    const double value = fast_exp(x);
    const double above_low_end = x < -700.0 ? 0.0 : value;
    return x > 700.0 ? neuron_exp_700 : above_low_end;
}

} // namespace ranvier::cable
