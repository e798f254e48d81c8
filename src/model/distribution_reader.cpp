// Reading a value that is either a quantity or a distribution table.
#include "model/model_reading.hpp"

#include <cmath>
#include <limits>

namespace ranvier {
namespace {

// Standard normal cumulative distribution.
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Bounded draws are redrawn until they fall inside: require the bounds to
// keep at least this much probability, i.e. at most ~1000 draws per value.
constexpr double min_bounded_mass = 1e-3;

struct bounds {
    std::optional<double> low, high;
};

bounds read_bounds(const toml_table_reader& t, dimension d) {
    bounds b;
    if (t.has("low")) b.low = t.get_quantity("low", d);
    if (t.has("high")) b.high = t.get_quantity("high", d);
    if (b.low && b.high && !(*b.low < *b.high)) t.fail("high", "must be greater than low");
    return b;
}

// Probability that mean + std * N(0, 1) lies in [low, high].
double normal_mass(double mean, double std, const bounds& b) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double lo = b.low.value_or(-inf), hi = b.high.value_or(inf);
    if (std == 0) return (mean >= lo && mean <= hi) ? 1.0 : 0.0;
    return normal_cdf((hi - mean) / std) - normal_cdf((lo - mean) / std);
}

void check_mass(const toml_table_reader& t, double mass) {
    if (mass < min_bounded_mass)
        t.fail(t.has("low") ? "low" : "high",
               "the bounds [low, high] keep only " + format_number(mass * 100) +
                   "% of the distribution's values (at least 0.1% needed): widen them or move the mean");
}

distribution read_table(const toml_table_reader& t, dimension d) {
    const std::string kind = t.get_string("distribution");
    distribution out;
    if (kind == "constant") {
        t.reject_unknown_keys({"distribution", "value"});
        return distribution::constant(t.get_quantity("value", d));
    }
    if (kind == "uniform") {
        t.reject_unknown_keys({"distribution", "low", "high"});
        out.type = distribution::kind::uniform;
        out.a = t.get_quantity("low", d);
        out.b = t.get_quantity("high", d);
        if (!(out.a < out.b)) t.fail("high", "must be greater than low (for a single value write it as a quantity)");
        return out;
    }
    if (kind == "normal" || kind == "lognormal") {
        t.reject_unknown_keys({"distribution", "mean", "std", "low", "high"});
        const double mean = t.get_quantity("mean", d);
        const double std = t.get_quantity("std", d);
        if (std < 0) t.fail("std", "must be >= 0");
        const bounds b = read_bounds(t, d);
        out.low = b.low;
        out.high = b.high;
        if (kind == "normal") {
            out.type = distribution::kind::normal;
            out.a = mean;
            out.b = std;
            check_mass(t, normal_mass(mean, std, b));
            return out;
        }
        // lognormal: `mean` and `std` are those of the value; convert to mu,
        // sigma of its logarithm. A negative mean gives negative values.
        if (mean == 0) t.fail("mean", "a lognormal needs a non-zero mean");
        out.type = distribution::kind::lognormal;
        out.negative = mean < 0;
        const double magnitude = std::abs(mean);
        const double sigma2 = std::log1p((std * std) / (magnitude * magnitude));
        out.a = std::log(magnitude) - 0.5 * sigma2;
        out.b = std::sqrt(sigma2);
        // Bounds of the value -> bounds of its log-magnitude.
        constexpr double inf = std::numeric_limits<double>::infinity();
        double lo = b.low.value_or(-inf), hi = b.high.value_or(inf);
        if (out.negative) { // X = -Y: low <= X <= high  <=>  -high <= Y <= -low
            const double low_of_x = lo;
            lo = -hi;
            hi = -low_of_x;
        }
        bounds log_bounds;
        if (lo > 0) log_bounds.low = std::log(lo);
        if (hi < inf) log_bounds.high = std::log(hi); // -inf or NaN if hi <= 0: mass 0 below
        check_mass(t, hi <= 0 ? 0.0 : normal_mass(out.a, out.b, log_bounds));
        return out;
    }
    const std::string suggestion = closest_word(kind, {"constant", "uniform", "normal", "lognormal"});
    t.fail("distribution", "unknown distribution '" + kind + "'" +
                               (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                               " (valid: constant, uniform, normal, lognormal)");
}

} // namespace

distribution read_distribution(const toml_table_reader& r, std::string_view key, dimension d) {
    const toml_value& v = r.require(key, "a " + to_string(d) + " such as \"" + example_quantity(d) +
                                             "\" or a distribution table");
    if (v.is_table()) return read_table(r.sub_table(key), d);
    if (v.is_string()) return distribution::constant(r.quantity_of(v, key, d));
    r.fail(key, "expected a " + to_string(d) + " such as \"" + example_quantity(d) +
                    "\" or a distribution such as { distribution = \"uniform\", low = \"...\", "
                    "high = \"...\" }, got " + describe_toml_type(v));
}

} // namespace ranvier
