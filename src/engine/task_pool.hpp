// A fixed set of worker threads that run parallel loops over cell groups.
//
// Why not OpenMP: ThreadSanitizer cannot see libgomp's synchronisation, and
// the asynchronous engines need a pool they control. The calling thread takes
// part in every loop, so a pool of N threads has N-1 workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ranvier {

class task_pool {
public:
    explicit task_pool(unsigned threads);
    ~task_pool();
    task_pool(const task_pool&) = delete;
    task_pool& operator=(const task_pool&) = delete;

    unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

    // Runs body(i) for i in [0, n), spread over the threads; returns when all
    // are done. Items are handed out one at a time (dynamic balance). The
    // first exception thrown by a body is rethrown here.
    void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body);
    // The same, telling body(i, thread) which thread runs it: 0 is the
    // calling thread, 1..size()-1 the workers (engines keep per-thread
    // accounts of busy and waiting time by it).
    void parallel_for_on_threads(std::size_t n,
                                 const std::function<void(std::size_t, unsigned)>& body);

private:
    void worker_loop(unsigned thread);
    void run_items(unsigned thread);

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t, unsigned)>* body_ = nullptr;
    std::size_t n_ = 0, next_ = 0;     // items in the current loop, next to hand out
    std::size_t busy_ = 0;             // threads still inside the current loop
    std::uint64_t generation_ = 0;     // incremented for every loop
    bool stopping_ = false;
    std::exception_ptr error_;
};

} // namespace ranvier
