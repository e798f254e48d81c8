// The defaults of recipe's expected activity (include/ranvier/recipe.hpp).
#include <ranvier/recipe.hpp>

#include <algorithm>

namespace ranvier {

double expected_rate_of(const spike_source_cell& source) {
    if (source.times.empty()) return source.rate;
    const double last = *std::max_element(source.times.begin(), source.times.end());
    const double span_ms = std::max(last, 1000.0);
    return source.rate + static_cast<double>(source.times.size()) * 1000.0 / span_ms;
}

double recipe::expected_firing_rate(gid_type gid) const {
    if (kind(gid) == cell_kind::spike_source)
        return expected_rate_of(std::get<spike_source_cell>(cell(gid)));
    return nominal_firing_rate;
}

double recipe::expected_connection_rate(gid_type gid) const {
    double rate = 0;
    for (const connection& c : connections_on(gid)) rate += expected_firing_rate(c.source);
    return rate;
}

} // namespace ranvier
