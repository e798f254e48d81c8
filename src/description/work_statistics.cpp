// The summaries of work_statistics.hpp: the advance-length histogram and the
// per-cell count summary.
#include <ranvier/work_statistics.hpp>

#include <algorithm>
#include <cmath>

namespace ranvier {

namespace {

int bin_of(double x) {
    constexpr double lowest = 1e-6, highest = 1e6;
    if (!(x >= lowest)) return 0; // zero, tiny (and NaN, which an engine never gives)
    if (x >= highest) return length_histogram::bins - 1;
    // A value on a bin edge may land on either side through rounding of the
    // logarithm: harmless, a quantile is the mean of the bin's own values.
    const int k = static_cast<int>(std::floor((std::log10(x) - length_histogram::lowest_decade) *
                                              length_histogram::bins_per_decade));
    return 1 + std::clamp(k, 0, length_histogram::bins - 3);
}

} // namespace

void length_histogram::add(double length_ms, std::uint64_t times) {
    if (times == 0) return;
    if (count_ == 0) min_ = max_ = length_ms;
    min_ = std::min(min_, length_ms);
    max_ = std::max(max_, length_ms);
    const double weighted = length_ms * static_cast<double>(times);
    count_ += times;
    sum_ += weighted;
    const int b = bin_of(length_ms);
    if (bin_count_[b] == 0) bin_min_[b] = bin_max_[b] = length_ms;
    bin_min_[b] = std::min(bin_min_[b], length_ms);
    bin_max_[b] = std::max(bin_max_[b], length_ms);
    bin_count_[b] += times;
    bin_sum_[b] += weighted;
}

double length_histogram::quantile(double p) const {
    if (count_ == 0) return 0.0;
    const double wanted = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(count_));
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (int b = 0; b < bins; ++b) {
        seen += bin_count_[b];
        if (seen >= rank)
            // The bin's mean, kept inside the bin's range: its one value
            // exactly when all are equal (their sum divided back may be off
            // in the last bit).
            return std::clamp(bin_sum_[b] / static_cast<double>(bin_count_[b]), bin_min_[b], bin_max_[b]);
    }
    return max_;
}

void cell_count_summary::add(std::uint64_t value, gid_type gid) {
    if (cells == 0 || value > max || (value == max && gid < max_gid)) {
        max = value;
        max_gid = gid;
    }
    ++cells;
    total += value;
}

} // namespace ranvier
