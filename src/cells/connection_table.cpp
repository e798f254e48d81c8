#include "cells/connection_table.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <string>

namespace ranvier {

namespace {

// The errors of delay_in_steps, out of its way: it runs per synapse.
[[noreturn, gnu::cold, gnu::noinline]] void delay_shorter_than_dt(const connection& c, gid_type target,
                                                                  const time_grid& grid) {
    const std::string dt = connection_message_number(grid.step());
    connection_error(c, target, "delay " + connection_message_number(c.delay) +
                                    " ms is shorter than the time step dt = " + dt +
                                    " ms; the fixed-step modes deliver a spike one step later "
                                    "at the earliest: use a delay of at least " + dt +
                                    " ms, a smaller dt, or a variable-step mode");
}

[[noreturn, gnu::cold, gnu::noinline]] void delay_beyond_step_limit(const connection& c, gid_type target,
                                                                    const time_grid& grid, double steps) {
    connection_error(c, target, "delay " + connection_message_number(c.delay) + " ms is " +
                                    connection_message_number(steps) + " steps of dt = " +
                                    connection_message_number(grid.step()) +
                                    " ms; the fixed-step modes allow at most " +
                                    std::to_string(max_delay_steps) + " steps (" +
                                    connection_message_number(grid.time_of(max_delay_steps)) +
                                    " ms at this dt): use a shorter delay, a larger dt, or a "
                                    "variable-step mode");
}

// The delay of c in steps of the grid, 1..max_delay_steps.
inline std::uint32_t delay_in_steps(const connection& c, gid_type target, const time_grid& grid) {
    if (grid.shorter_than_one_step(c.delay)) delay_shorter_than_dt(c, target, grid);
    const double steps = grid.rounded_steps(c.delay);
    if (steps > max_delay_steps) delay_beyond_step_limit(c, target, grid, steps);
    return static_cast<std::uint32_t>(steps);
}

// Per source of the index, in its order: the shortest delay of its entries.
template <class Index, class Delay>
std::vector<Delay> shortest_delay_per_source(const Index& index, Delay none) {
    std::vector<Delay> out;
    out.reserve(index.sources().size());
    index.for_each_source([&](std::size_t, const auto& entries) {
        Delay d = none;
        for (const auto& e : entries) d = std::min<Delay>(d, e.delay);
        out.push_back(d);
    });
    return out;
}

} // namespace

connection_table::connection_table(const recipe& model, std::span<const gid_type> gids, double dt,
                                   const site_numbering& sites, const connection_observer& observe)
    : index_(model, gids, sites,
             [this, grid = time_grid(dt)](const connection& c, gid_type target, std::uint32_t site) {
                 const std::uint32_t d = delay_in_steps(c, target, grid);
                 min_delay_ = std::min(min_delay_, d);
                 max_delay_ = std::max(max_delay_, d);
                 if (site >= max_group_targets)
                     throw internal_error("connection_table: group has more than 65536 targets");
                 return synapse_entry{static_cast<std::uint16_t>(site), static_cast<std::uint16_t>(d),
                                      static_cast<float>(c.weight)};
             },
             observe),
      source_min_delay_(shortest_delay_per_source(index_, UINT32_MAX)) {}

exact_delay_table::exact_delay_table(const recipe& model, std::span<const gid_type> gids,
                                     const site_numbering& sites, const connection_observer& observe)
    : index_(model, gids, sites, [this](const connection& c, gid_type, std::uint32_t site) {
          min_delay_ = std::min(min_delay_, c.delay);
          return exact_delay_entry{site, static_cast<float>(c.weight), c.delay};
      },
      observe),
      source_min_delay_(shortest_delay_per_source(index_, time_infinity)) {}

} // namespace ranvier
