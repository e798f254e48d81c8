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
    }

    double mean() const { return mean_; }

    // Number of events for a uniform u in [0, 1).
    std::uint32_t sample(double u) const {
        return static_cast<std::uint32_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) -
                                          cdf_.begin());
    }

private:
    double mean_;
    std::vector<double> cdf_;
};

} // namespace ranvier::lif
