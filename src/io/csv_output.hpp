// Streams a run's spikes and probe samples to CSV files as they are produced.
//
//   spikes.csv  gid,time_ms              sorted by time, then gid
//   traces.csv  gid,probe,time_ms,value  sorted by time, then gid, then probe
//
// Rows are written whole, at least every `flush_interval` seconds of wall time
// (and whenever 4 MB are pending), so an interrupted run leaves valid files up
// to the last flush. Times are printed with 9 decimals (1 ps).
#pragma once

#include <ranvier/simulation.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace ranvier::io {

class csv_output final : public output_sink {
public:
    // probe_name(gid, probe index) gives the text of the probe column.
    using probe_namer = std::function<std::string(gid_type, std::uint32_t)>;

    csv_output(const std::string& spikes_path, const std::string& traces_path,
               probe_namer probe_name, double flush_interval_s = 1.0);
    ~csv_output() override;
    csv_output(const csv_output&) = delete;
    csv_output& operator=(const csv_output&) = delete;

    void on_spikes(std::span<const spike> spikes) override;
    void on_samples(std::span<const trace_sample> samples) override;
    void on_progress(time_type t, time_type t_stop) override;
    void flush();

    std::uint64_t spikes_written() const { return spikes_written_; }
    std::uint64_t samples_written() const { return samples_written_; }

private:
    std::FILE* spikes_ = nullptr;
    std::FILE* traces_ = nullptr;
    probe_namer probe_name_;
    // Rows are collected here and written in whole-row chunks, so the files
    // never end in half a row (the FILEs are unbuffered).
    std::string pending_spikes_, pending_traces_;
    std::chrono::steady_clock::time_point last_flush_;
    double flush_interval_s_;
    std::uint64_t spikes_written_ = 0, samples_written_ = 0;
};

} // namespace ranvier::io
