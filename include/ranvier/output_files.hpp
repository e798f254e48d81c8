// Output files of a run (part of the formats library, ranvier_formats):
// streams a run's spikes and probe samples to CSV files as they are produced.
//
//   spikes.csv  gid,time_ms              sorted by time, then gid
//   traces.csv  gid,probe,time_ms,value  sorted by time, then gid, then probe
//
// Rows are written whole, at least every `flush_interval` seconds of wall time
// (and whenever 4 MB are pending), so an interrupted run leaves valid files up
// to the last flush. Times are printed with 9 decimals (1 ps).
//
// Every write is checked. When one fails (a full disk, an I/O error) the file
// is cut back to its last whole row and a user_error names the file and the
// operating system's reason ("No space left on device"); nothing more is
// written to that file.
#pragma once

#include <ranvier/simulation.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace ranvier::io {

class csv_output final : public output_sink {
public:
    // What traces.csv says of a probe: its variable (the `probe` column) and
    // where it samples (the `location` column: "soma(0.5)"; empty on point neurons).
    struct probe_label {
        std::string variable;
        std::string location;
    };
    // probe_name(gid, probe index) labels a cell's probe.
    using probe_namer = std::function<probe_label(gid_type, std::uint32_t)>;

    // Creates (truncates) the files and writes their headers; an empty
    // traces_path writes no traces. Throws user_error if a file cannot be
    // created or written.
    csv_output(const std::string& spikes_path, const std::string& traces_path,
               probe_namer probe_name, double flush_interval_s = 1.0);
    // Writes what is pending and closes, ignoring errors: call close() to
    // learn about them.
    ~csv_output() override;
    csv_output(const csv_output&) = delete;
    csv_output& operator=(const csv_output&) = delete;

    // These write (and may throw user_error) when a flush is due.
    void on_spikes(std::span<const spike> spikes) override;
    void on_samples(std::span<const trace_sample> samples) override;
    void on_progress(time_type t, time_type t_stop) override;
    // Writes every pending row; throws user_error if a write fails.
    void flush();
    // flush(), then closes both files; throws user_error if anything fails.
    void close();

    std::uint64_t spikes_written() const { return spikes_written_; }
    std::uint64_t samples_written() const { return samples_written_; }

private:
    // One CSV file written with unbuffered POSIX writes: `pending` holds
    // whole rows not yet written, `committed` the bytes of whole rows on disk.
    struct file {
        std::string path;
        int fd = -1;
        std::string pending;
        std::uint64_t committed = 0;
        bool failed = false;
    };
    static void open(file& f, const std::string& path, const char* header);
    static void write_pending(file& f);
    static void close(file& f);

    file spikes_, traces_;
    probe_namer probe_name_;
    std::chrono::steady_clock::time_point last_flush_;
    double flush_interval_s_;
    std::uint64_t spikes_written_ = 0, samples_written_ = 0;
};

} // namespace ranvier::io
