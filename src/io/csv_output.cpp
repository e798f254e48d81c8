#include "io/csv_output.hpp"

#include <ranvier/errors.hpp>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ranvier::io {

namespace {

std::FILE* open_for_writing(const std::string& path, const char* header) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        throw user_error("cannot write '" + path + "': " + std::strerror(errno) +
                         " (check that the output directory exists and is writable)");
    std::setvbuf(f, nullptr, _IONBF, 0);
    std::fputs(header, f);
    return f;
}

} // namespace

csv_output::csv_output(const std::string& spikes_path, const std::string& traces_path,
                       probe_namer probe_name, double flush_interval_s)
    : probe_name_(std::move(probe_name)), last_flush_(std::chrono::steady_clock::now()),
      flush_interval_s_(flush_interval_s) {
    spikes_ = open_for_writing(spikes_path, "gid,time_ms\n");
    if (!traces_path.empty()) traces_ = open_for_writing(traces_path, "gid,probe,time_ms,value\n");
}

csv_output::~csv_output() {
    flush();
    if (spikes_) std::fclose(spikes_);
    if (traces_) std::fclose(traces_);
}

void csv_output::on_spikes(std::span<const spike> spikes) {
    for (const spike& s : spikes)
        fmt::format_to(std::back_inserter(pending_spikes_), "{},{:.9f}\n", s.gid, s.time);
    spikes_written_ += spikes.size();
    if (pending_spikes_.size() > (4u << 20)) flush();
}

void csv_output::on_samples(std::span<const trace_sample> samples) {
    if (!traces_ || samples.empty()) return;
    for (const trace_sample& s : samples)
        fmt::format_to(std::back_inserter(pending_traces_), "{},{},{:.9f},{:.17g}\n", s.gid,
                       probe_name_(s.gid, s.probe), s.time, s.value);
    samples_written_ += samples.size();
    if (pending_traces_.size() > (4u << 20)) flush();
}

void csv_output::on_progress(time_type, time_type) {
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_flush_).count() >= flush_interval_s_) {
        flush();
        last_flush_ = now;
    }
}

void csv_output::flush() {
    if (spikes_ && !pending_spikes_.empty()) {
        std::fwrite(pending_spikes_.data(), 1, pending_spikes_.size(), spikes_);
        pending_spikes_.clear();
    }
    if (traces_ && !pending_traces_.empty()) {
        std::fwrite(pending_traces_.data(), 1, pending_traces_.size(), traces_);
        pending_traces_.clear();
    }
}

} // namespace ranvier::io
