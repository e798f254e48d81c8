// Validation of the user-facing spike source description.
#include <ranvier/errors.hpp>
#include <ranvier/spike_source_cell.hpp>

#include <cmath>

namespace ranvier {

namespace {

void require(bool ok, const std::string& where, const std::string& key, const std::string& what) {
    if (!ok) throw user_error(source_location{"", 0, key}, where + ": " + what);
}

} // namespace

void validate(const spike_source_cell& c, const std::string& where) {
    require(std::isfinite(c.rate) && c.rate >= 0, where, "rate", "must be a finite number >= 0 Hz");
    require(std::isfinite(c.start) && c.start >= 0, where, "start", "must be a finite number >= 0 ms");
    require(c.stop > c.start, where, "stop", "must be after start");
    for (const double t : c.times)
        require(std::isfinite(t) && t >= 0, where, "times", "every time must be a finite number >= 0 ms");
}

} // namespace ranvier
