#include "engine/task_pool.hpp"

namespace ranvier {

task_pool::task_pool(unsigned threads) {
    for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

task_pool::~task_pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

void task_pool::run_items(unsigned thread) {
    // Called with mutex_ held; releases it while running a body.
    std::unique_lock lock(mutex_, std::adopt_lock);
    while (next_ < n_) {
        const std::size_t i = next_++;
        lock.unlock();
        try {
            (*body_)(i, thread);
        } catch (...) {
            lock.lock();
            if (!error_) error_ = std::current_exception();
            next_ = n_; // stop handing out work
            continue;
        }
        lock.lock();
    }
    lock.release();
}

void task_pool::worker_loop(unsigned thread) {
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        ++busy_;
        lock.release(); // run_items() adopts the held mutex and returns with it held
        run_items(thread);
        lock = std::unique_lock(mutex_, std::adopt_lock);
        if (--busy_ == 0) done_.notify_all();
    }
}

void task_pool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
    parallel_for_on_threads(n, [&body](std::size_t i, unsigned) { body(i); });
}

void task_pool::parallel_for_on_threads(std::size_t n,
                                        const std::function<void(std::size_t, unsigned)>& body) {
    if (n == 0) return;
    if (workers_.empty() || n == 1) {
        for (std::size_t i = 0; i < n; ++i) body(i, 0);
        return;
    }
    std::unique_lock lock(mutex_);
    body_ = &body;
    n_ = n;
    next_ = 0;
    error_ = nullptr;
    ++generation_;
    ++busy_;
    wake_.notify_all();
    lock.release();
    run_items(0);
    lock = std::unique_lock(mutex_, std::adopt_lock);
    --busy_;
    done_.wait(lock, [&] { return busy_ == 0; });
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

} // namespace ranvier
