// Connection events delivered to each cell of a group (cell_work_counts::
// events), counted per spike rather than per event: delivery is the hot loop
// of large networks and one more counter write per event slows it
// measurably (Brunel: about 5% of the deliver phase). deliver() counts the
// spikes it was handed from each source (by the table's source key);
// per_cell() then adds each source's new spikes to every cell its entries
// reach, so the cost of counting is paid when statistics are asked for, and
// at most once per connection for all spikes since the previous time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ranvier {

class cell_event_counts {
public:
    cell_event_counts() = default;
    // `source_keys`: the table's source_keys().
    cell_event_counts(std::size_t cells, std::size_t source_keys)
        : spikes_from_(source_keys, 0), events_(cells, 0) {}

    // A spike from the source of key `key` reached the group (its entries
    // were delivered).
    void count_spike(std::size_t key) { ++spikes_from_[key]; }

    // Events per cell so far. `table` has for_each_source(f(key, entries));
    // cell_of(entry) is the index in the group of the entry's target cell.
    template <class Table, class CellOf>
    const std::vector<std::uint64_t>& per_cell(const Table& table, CellOf&& cell_of) {
        table.for_each_source([&](std::size_t key, auto entries) {
            const std::uint64_t spikes = spikes_from_[key];
            if (spikes == 0) return;
            for (const auto& e : entries) events_[cell_of(e)] += spikes;
            spikes_from_[key] = 0;
        });
        return events_;
    }

private:
    std::vector<std::uint64_t> spikes_from_; // per source key: spikes not yet in events_
    std::vector<std::uint64_t> events_;      // per cell
};

} // namespace ranvier
