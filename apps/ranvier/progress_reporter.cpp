#include "progress_reporter.hpp"

#include <algorithm>
#include <string>

namespace ranvier::cli {

progress_reporter::progress_reporter(std::FILE* out, bool terminal, bool quiet)
    : out_(out), terminal_(terminal), quiet_(quiet), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void progress_reporter::update(time_type t, time_type t_stop, std::uint64_t spikes) {
    if (quiet_ || t_stop <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double fraction = std::clamp(t / t_stop, 0.0, 1.0);
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0.0;
    if (terminal_) {
        if (fraction < 1 && std::chrono::duration<double>(now - last_draw_).count() < 0.1) return;
        last_draw_ = now;
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::string bar(filled, '=');
        if (filled < width) bar += '>' + std::string(width - filled - 1, ' ');
        std::fprintf(out_, "\r[%s] %5.1f%%  t = %.1f / %.1f ms  spikes %llu  elapsed %.1f s  eta %.1f s ",
                     bar.c_str(), 100 * fraction, t, t_stop,
                     static_cast<unsigned long long>(spikes), elapsed, eta);
        std::fflush(out_);
        drawn_ = true;
    } else {
        const int decile = static_cast<int>(fraction * 10);
        if (decile <= last_decile_) return;
        last_decile_ = decile;
        std::fprintf(out_, "progress: %3d%%  t = %.1f / %.1f ms  spikes %llu  elapsed %.1f s\n",
                     decile * 10, t, t_stop, static_cast<unsigned long long>(spikes), elapsed);
        std::fflush(out_);
    }
}

void progress_reporter::finish() {
    if (drawn_) std::fputc('\n', out_);
    drawn_ = false;
}

} // namespace ranvier::cli
