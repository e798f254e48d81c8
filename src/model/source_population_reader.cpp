// Reading a [[population]] of spike sources (docs/model-file.md, "Spike
// sources"): cell = "poisson_source" (rate, start, stop) or cell =
// "spike_source" (times, the same for every cell, or spikes, a CSV file of
// `gid,time_ms` rows relative to the model file). Sources take no inputs:
// reject_source_targets is called by the readers of projections and inputs.
#include "model/model_reading.hpp"

#include <ranvier/spike_source_cell.hpp>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

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

} // namespace

population_spec read_source_population(const toml_table_reader& r, population_spec p) {
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
        if (r.has("times") == r.has("spikes"))
            r.fail(r.has("times") ? "spikes" : "times",
                   "give exactly one of times = [\"10 ms\", ...] (the same times for every cell) and "
                   "spikes = \"file.csv\" (rows gid,time_ms; path relative to the model file)");
        if (r.has("times")) {
            c.times = read_quantity_list(r, "times", dimension::time);
            for (const double t : c.times)
                if (!(t >= 0)) r.fail("times", "must be >= 0 ms, got " + format_number(t) + " ms");
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
