// Reading a [[population]] of spike sources (docs/model-file.md, "Spike
// sources"): cell = "poisson_source" (rate, start, stop) or cell =
// "spike_source" (times, the same for every cell; spikes, a CSV file of
// `gid,time_ms` rows relative to the model file, or an inline table of
// per-cell times `{ cells = [...], times = [...], unit = "ms" }`; or arrays
// from a program, the same as the inline table). Sources take no inputs:
// reject_source_targets is called by the readers of projections and inputs.
#include "model/model_reading.hpp"

#include <ranvier/spike_source_cell.hpp>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <span>
#include <string_view>
#include <vector>

namespace ranvier {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

template <class T>
bool parse_number(std::string_view text, T& value) {
    text = trimmed(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// The spikes of a CSV file of `gid,time_ms` rows (an optional header line
// first) into each cell's list. Problems name the model file's key and, in
// the message, the CSV file, its line and what is wrong.
void read_spike_file(const toml_table_reader& r, population_spec& p) {
    const std::string written = r.get_string("spikes");
    const std::filesystem::path file = written;
    const std::filesystem::path base = std::filesystem::path(r.origin()).parent_path();
    const std::string path = (file.is_absolute() ? file : base / file).string();
    std::ifstream in(path, std::ios::binary);
    if (!in) r.fail("spikes", "cannot open the spike file '" + path + "'");
    const std::uint64_t first = p.first_gid, last = first + p.size - 1;
    const std::string range = "population '" + p.name + "' has gids " + std::to_string(first) + ".." +
                              std::to_string(last);
    p.source_times.assign(p.size, {});
    std::string line;
    std::uint64_t spikes = 0;
    bool seen_content = false;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string_view text = trimmed(line);
        if (text.empty()) continue;
        const auto problem = [&](const std::string& what) {
            r.fail("spikes", path + ":" + std::to_string(number) + ": " + what);
        };
        const bool first_line = !seen_content;
        seen_content = true;
        const auto comma = text.find(',');
        const std::string_view gid_text = trimmed(text.substr(0, comma));
        double number_or_not = 0;
        // The first line is a header if its first field is not a number.
        if (first_line && !parse_number(gid_text, number_or_not)) continue;
        if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos)
            problem("expected a row 'gid,time_ms' with two fields, got '" + std::string(text) + "'");
        const std::string_view time_text = trimmed(text.substr(comma + 1));
        std::int64_t gid = 0;
        double time = 0;
        if (!parse_number(gid_text, gid)) problem("the gid '" + std::string(gid_text) + "' is not a whole number");
        if (!parse_number(time_text, time))
            problem("the time '" + std::string(time_text) + "' is not a number (times are in ms, without a unit)");
        if (gid < 0 || static_cast<std::uint64_t>(gid) < first || static_cast<std::uint64_t>(gid) > last)
            problem("gid " + std::to_string(gid) + " is not in this population: " + range);
        if (!std::isfinite(time) || time < 0)
            problem("the time " + std::string(time_text) + " must be a finite number of ms >= 0");
        p.source_times[static_cast<std::uint64_t>(gid) - first].push_back(time);
        ++spikes;
    }
    if (in.bad()) r.fail("spikes", "cannot read the spike file '" + path + "'");
    if (spikes == 0)
        r.fail("spikes", "the spike file '" + path + "' has no spikes for this population (" + range +
                             "): expected rows 'gid,time_ms'");
}

// Spike k at times[k] (in `unit`) on cell cells[k] (index in the population),
// into each cell's list; problems name `key` and the element.
void spikes_from_arrays(const toml_table_reader& r, std::string_view key, population_spec& p,
                        std::span<const std::int64_t> cells, std::span<const double> times,
                        const std::string& unit) {
    if (cells.size() != times.size())
        r.fail(key, "has " + std::to_string(cells.size()) + " cells and " + std::to_string(times.size()) +
                        " times: give one cell index per spike time");
    if (cells.empty()) r.fail(key, "has no spikes: give at least one (cell index, time)");
    double factor = 0;
    try {
        factor = parse_quantity("1 " + unit, dimension::time, r.where(key));
    } catch (const user_error&) {
        r.fail(key, "the unit '" + unit + "' is not a unit of a time (units of a time: " +
                        accepted_units(dimension::time) + ")");
    }
    std::vector<std::uint32_t> count(p.size, 0);
    for (std::size_t k = 0; k < cells.size(); ++k) {
        if (cells[k] < 0 || static_cast<std::uint64_t>(cells[k]) >= p.size)
            r.fail(key, "spike " + std::to_string(k) + ": cell index " + std::to_string(cells[k]) +
                            " is not in population '" + p.name + "' (indices 0.." + std::to_string(p.size - 1) + ")");
        ++count[static_cast<std::size_t>(cells[k])];
    }
    p.source_times.assign(p.size, {});
    for (std::size_t c = 0; c < p.size; ++c) p.source_times[c].reserve(count[c]);
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const double t = times[k] * factor;
        if (!std::isfinite(t) || t < 0)
            r.fail(key, "spike " + std::to_string(k) + ": the time " + format_number(times[k]) + " " + unit +
                            " must be a finite time >= 0");
        p.source_times[static_cast<std::size_t>(cells[k])].push_back(t);
    }
}

// spikes = { cells = [0, 0, 3], times = [1.0, 5.5, 2.0], unit = "ms" }: what
// model_builder::to_toml writes for spike times given as arrays.
void read_inline_spikes(const toml_table_reader& r, population_spec& p) {
    const toml_table_reader s = r.sub_table("spikes");
    s.reject_unknown_keys({"cells", "times", "unit"});
    const auto numbers = [&](std::string_view key, bool whole) {
        const toml_value& list = s.require(key, whole ? "a list of cell indices" : "a list of times");
        if (!list.is_array()) s.fail(key, "expected a list of numbers, got " + describe_toml_type(list));
        std::vector<double> out;
        out.reserve(list.as_array().size());
        for (const auto& x : list.as_array()) {
            if (whole ? !x.is_integer() : !(x.is_integer() || x.is_floating()))
                s.fail(key, std::string("expected ") + (whole ? "whole numbers (cell indices)" : "numbers") +
                                ", got " + describe_toml_type(x));
            out.push_back(x.is_integer() ? static_cast<double>(x.as_integer()) : x.as_floating());
        }
        return out;
    };
    const std::vector<double> cells_as_numbers = numbers("cells", true);
    const std::vector<double> times = numbers("times", false);
    std::vector<std::int64_t> cells(cells_as_numbers.begin(), cells_as_numbers.end());
    spikes_from_arrays(s, "cells", p, cells, times, s.get_string("unit"));
}

} // namespace

population_spec read_source_population(const toml_table_reader& r, population_spec p,
                                       const spike_time_arrays* spikes) {
    p.kind = cell_kind::spike_source;
    spike_source_cell& c = p.source;
    if (r.get_string("cell") == "poisson_source") {
        r.reject_unknown_keys({"name", "size", "cell", "rate", "start", "stop"});
        c.rate = r.get_quantity("rate", dimension::frequency);
        if (!(c.rate >= 0)) r.fail("rate", "must be >= 0 Hz");
        c.start = r.get_quantity("start", dimension::time, 0.0);
        if (!(c.start >= 0)) r.fail("start", "must be >= 0 ms");
        c.stop = r.get_quantity("stop", dimension::time, time_infinity);
        if (!(c.stop > c.start)) r.fail("stop", "must be after start (" + format_number(c.start) + " ms)");
    } else {
        r.reject_unknown_keys({"name", "size", "cell", "times", "spikes"});
        if (spikes) {
            if (r.has("times") || r.has("spikes"))
                r.fail(r.has("times") ? "times" : "spikes", "the spike times are given as arrays: leave this key out");
            spikes_from_arrays(r, "spikes", p, spikes->cells, spikes->times, spikes->unit);
        } else if (r.has("times") == r.has("spikes")) {
            r.fail(r.has("times") ? "spikes" : "times",
                   "give exactly one of times = [\"10 ms\", ...] (the same times for every cell) and "
                   "spikes = \"file.csv\" (rows gid,time_ms; path relative to the model file) or "
                   "spikes = { cells = [0, 1], times = [5.0, 7.5], unit = \"ms\" } (per cell)");
        } else if (r.has("times")) {
            c.times = read_quantity_list(r, "times", dimension::time);
            for (const double t : c.times)
                if (!(t >= 0)) r.fail("times", "must be >= 0 ms, got " + format_number(t) + " ms");
        } else if (r.find("spikes")->is_table()) {
            read_inline_spikes(r, p);
        } else {
            read_spike_file(r, p);
        }
    }
    // A second line of defence, with the cells' own rules.
    validate(c, user_error::format(p.where, ""));
    return p;
}

void reject_source_targets(const toml_table_reader& r, std::string_view key,
                           const std::vector<const population_spec*>& targets) {
    for (const auto* p : targets)
        if (p->kind == cell_kind::spike_source)
            r.fail(key, "population '" + p->name +
                            "' is made of spike sources, which take no connections or inputs: "
                            "a source only emits spikes (connect it with a [[projection]] whose source it is)");
}

} // namespace ranvier
