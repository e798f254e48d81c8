// A dry run's output (docs/scaling.md): the rank's own spikes only. The bsp
// exchange hands every group the modelled copies of other ranks' spikes as
// well; they are inputs, not output.
#pragma once

#include "engine/decomposition.hpp"

#include <ranvier/simulation.hpp>

#include <vector>

namespace ranvier {

class own_range_sink final : public output_sink {
public:
    own_range_sink(output_sink& inner, gid_range range) : inner_(inner), range_(range) {}
    void on_spikes(std::span<const spike> spikes) override {
        kept_.clear();
        for (const spike& s : spikes)
            if (s.gid >= range_.begin && s.gid < range_.end) kept_.push_back(s);
        inner_.on_spikes(kept_);
    }
    void on_samples(std::span<const trace_sample> samples) override { inner_.on_samples(samples); }
    void on_progress(time_type t, time_type t_stop) override { inner_.on_progress(t, t_stop); }

private:
    output_sink& inner_;
    gid_range range_;
    std::vector<spike> kept_;
};

} // namespace ranvier
