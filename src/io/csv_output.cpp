#include <ranvier/output_files.hpp>

#include <ranvier/errors.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace ranvier::io {

namespace {

[[noreturn]] void write_failed(const std::string& path, int error, const char* what) {
    throw user_error("cannot write '" + path + "': " + std::strerror(error) + " (" + what + ")");
}

} // namespace

void csv_output::open(file& f, const std::string& path, const char* header) {
    f.path = path;
    f.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (f.fd < 0)
        throw user_error("cannot write '" + path + "': " + std::strerror(errno) +
                         " (check that the output directory exists and is writable)");
    f.pending = header;
    write_pending(f);
}

// Writes f.pending whole, retrying short writes. On failure the file is cut
// back to the last whole row that reached it (best effort: a device such as
// /dev/full cannot be truncated), marked failed, and the error thrown.
void csv_output::write_pending(file& f) {
    if (f.fd < 0 || f.failed || f.pending.empty()) return;
    std::size_t written = 0;
    while (written < f.pending.size()) {
        const ssize_t n = ::write(f.fd, f.pending.data() + written, f.pending.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            const std::size_t row_end = f.pending.rfind('\n', written == 0 ? 0 : written - 1);
            const std::uint64_t keep =
                f.committed + (written > 0 && row_end != std::string::npos ? row_end + 1 : 0);
            f.failed = true;
            f.pending.clear();
            if (::ftruncate(f.fd, static_cast<off_t>(keep)) != 0) {
                // Not a regular file: nothing to cut back.
            }
            write_failed(f.path, error, "the whole rows written before are kept");
        }
        written += static_cast<std::size_t>(n);
    }
    f.committed += f.pending.size();
    f.pending.clear();
}

void csv_output::close(file& f) {
    if (f.fd < 0) return;
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0 && !f.failed) {
        f.failed = true;
        write_failed(f.path, errno, "closing the file");
    }
}

csv_output::csv_output(const std::string& spikes_path, const std::string& traces_path,
                       probe_namer probe_name, double flush_interval_s)
    : probe_name_(std::move(probe_name)), last_flush_(std::chrono::steady_clock::now()),
      flush_interval_s_(flush_interval_s) {
    try {
        open(spikes_, spikes_path, "gid,time_ms\n");
        if (!traces_path.empty()) open(traces_, traces_path, "gid,probe,time_ms,value,location\n");
    } catch (...) {
        if (spikes_.fd >= 0) ::close(spikes_.fd);
        if (traces_.fd >= 0) ::close(traces_.fd);
        throw;
    }
}

csv_output::~csv_output() {
    for (file* f : {&spikes_, &traces_}) {
        try {
            write_pending(*f);
        } catch (const user_error&) {
        }
        if (f->fd >= 0) ::close(f->fd);
    }
}

void csv_output::on_spikes(std::span<const spike> spikes) {
    if (spikes_.failed) return;
    for (const spike& s : spikes)
        fmt::format_to(std::back_inserter(spikes_.pending), "{},{:.9f}\n", s.gid, s.time);
    spikes_written_ += spikes.size();
    if (spikes_.pending.size() > (4u << 20)) write_pending(spikes_);
}

namespace {

// A CSV field: quoted (quotes doubled) if it holds a comma, quote or line break
// (section names given in a model file may).
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace

void csv_output::on_samples(std::span<const trace_sample> samples) {
    if (traces_.fd < 0 || traces_.failed || samples.empty()) return;
    for (const trace_sample& s : samples) {
        const probe_label label = probe_name_(s.gid, s.probe);
        fmt::format_to(std::back_inserter(traces_.pending), "{},{},{:.9f},{:.17g},{}\n", s.gid, label.variable,
                       s.time, s.value, csv_field(label.location));
    }
    samples_written_ += samples.size();
    if (traces_.pending.size() > (4u << 20)) write_pending(traces_);
}

void csv_output::on_progress(time_type, time_type) {
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_flush_).count() >= flush_interval_s_) {
        last_flush_ = now;
        flush();
    }
}

void csv_output::flush() {
    write_pending(spikes_);
    write_pending(traces_);
}

void csv_output::close() {
    flush();
    close(spikes_);
    close(traces_);
}

} // namespace ranvier::io
