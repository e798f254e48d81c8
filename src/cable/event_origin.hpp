// The canonical order of the events that act on a cable cell at the same
// time (fixed_step_cable_stepper, cvode_cell, hybrid_cable_cell).
//
// The asynchronous engine with pairwise horizons hands a group spikes of
// different sources in batches whose split depends on timing: a spike of a
// long-delay source may come in a later batch than a later spike of a
// short-delay one. Events at equal times must therefore not act in
// scheduling order alone, but in an order of their own: by the spike they
// come from (emission time, then source gid), then in scheduling order,
// which for one spike is the order of its connections in the group's table
// (a spike's events are always scheduled together). That is exactly the
// scheduling order of the bsp engines, which deliver spikes sorted by
// (time, gid): their results do not change.
//
// Events not made from a spike (a cell's own scheduled events, one-off
// events) have no origin: they act first, in scheduling order, as they were
// scheduled before any spike. Self-events (net_send, orders from
// self_event_order) act after every connection event, in the order sent.
#pragma once

#include <cstdint>
#include <limits>

namespace ranvier::cable {

// Orders of self-events start here: at equal times they act after every
// connection event, so the order never depends on when deliver() ran.
inline constexpr std::uint64_t self_event_order = std::uint64_t{1} << 63;

// The spike a connection event comes from.
struct event_origin {
    double emitted = -std::numeric_limits<double>::infinity(); // ms; -inf: not from a spike
    std::uint64_t source = 0;                                  // the spike's gid
};

// Does event x act after event y? Events have `time`, `origin` and `order`
// (a scheduling counter; self-events from self_event_order).
template <class Event>
bool acts_after(const Event& x, const Event& y) {
    if (x.time != y.time) return x.time > y.time;
    const bool x_self = x.order >= self_event_order, y_self = y.order >= self_event_order;
    if (x_self != y_self) return x_self;
    if (x.origin.emitted != y.origin.emitted) return x.origin.emitted > y.origin.emitted;
    if (x.origin.source != y.origin.source) return x.origin.source > y.origin.source;
    return x.order > y.order;
}

} // namespace ranvier::cable
