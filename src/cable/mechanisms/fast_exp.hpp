// exp(x) written so that the compiler can vectorise loops calling it (no
// library call, no branch): range reduction x = k ln2 + r, |r| <= ln2/2,
// a degree-13 Taylor polynomial for exp(r) (truncation < 1e-17 relative),
// and 2^k built in the exponent bits. Within 1 ulp of std::exp (measured
// in test/unit/cable_mechanisms_test.cpp) for |x| <= 700; outside that the
// result is meaningless (no clamp: a compare-and-select stops GCC from
// vectorising under its default -ftrapping-math). The hh rates stay far
// inside for any |v| < 7000 mV. glibc's exp is a call the loops cannot
// vectorise: the hh state update spends most of its time there otherwise.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ranvier::cable {

[[gnu::always_inline]] inline double fast_exp(double x) {
    constexpr double log2e = 1.4426950408889634;
    constexpr double ln2_hi = 6.93147180369123816490e-01; // high bits of ln 2 (exact k*ln2_hi)
    constexpr double ln2_lo = 1.90821492927058770002e-10; // ln 2 - ln2_hi
    constexpr double round_magic = 6755399441055744.0;      // 1.5 * 2^52: rounds to integer
    const double shifted = x * log2e + round_magic; // low mantissa bits hold k
    const double k = shifted - round_magic;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0; // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^k: (k + 1023) in the exponent field; the magic number's own bits
    // shift out of the 64-bit word.
    const std::uint64_t bits = (std::bit_cast<std::uint64_t>(shifted) + 1023u) << 52;
    return p * std::bit_cast<double>(bits);
}

} // namespace ranvier::cable
