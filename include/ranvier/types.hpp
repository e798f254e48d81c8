// Basic scalar types used across the public API.
#pragma once

#include <cstdint>
#include <limits>

namespace ranvier {

using gid_type = std::uint32_t;        // global cell identifier, 0..num_cells-1
using site_index = std::uint32_t;      // synapse site on a cell (0 for point neurons)
using time_type = double;              // ms

constexpr time_type time_infinity = std::numeric_limits<double>::infinity();

// A spike as recorded and exchanged: source cell and time.
struct spike {
    gid_type gid = 0;
    time_type time = 0; // ms
    friend bool operator==(const spike&, const spike&) = default;
};

// The total order of recorded spikes: by time, then gid.
inline bool spike_before(const spike& a, const spike& b) {
    return a.time < b.time || (a.time == b.time && a.gid < b.gid);
}

} // namespace ranvier
