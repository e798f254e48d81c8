// Sampling the number of Poisson events in one time step by inverting the
// cumulative distribution with a precomputed table: one uniform number and a
// short search per draw, exact to double precision. Poisson inputs of a group
// share one table per distinct mean.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ranvier::lif {

class poisson_count_table {
public:
    explicit poisson_count_table(double mean) : mean_(mean) {
        // cdf_[k] = P(N <= k), built in log space so large means do not
        // underflow, until the remaining tail is below double resolution.
        double log_p = -mean, cdf = 0.0;
        for (std::uint32_t k = 0;; ++k) {
            if (k > 0) log_p += std::log(mean) - std::log(static_cast<double>(k));
            cdf += std::exp(log_p);
            if (cdf >= 1.0 || (k > mean && std::exp(log_p) < 1e-17)) break;
            cdf_.push_back(cdf);
        }
        // guide_[j] = number of table entries <= j/G: the search for u starts
        // at guide_[floor(u G)] and rarely moves more than a step from there.
        guide_.resize(guide_size + 1);
        for (std::size_t j = 0; j <= guide_size; ++j)
            guide_[j] = static_cast<std::uint32_t>(
                std::upper_bound(cdf_.begin(), cdf_.end(), static_cast<double>(j) / guide_size) -
                cdf_.begin());
    }

    double mean() const { return mean_; }

    // Number of events for a uniform u in [0, 1).
    std::uint32_t sample(double u) const {
        std::uint32_t k = guide_[static_cast<std::size_t>(u * guide_size)];
        const auto n = static_cast<std::uint32_t>(cdf_.size());
        while (k < n && cdf_[k] <= u) ++k;
        return k;
    }

private:
    static constexpr std::size_t guide_size = 256;
    double mean_;
    std::vector<double> cdf_;
    std::vector<std::uint32_t> guide_;
};

} // namespace ranvier::lif
