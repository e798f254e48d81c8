// The compiled part of the Python package `ranvier` (module `_ranvier`):
// models (load, parse, built-in), their simulation options, and a simulation
// whose run() returns spikes and traces as numpy arrays. Binds the public API
// in include/ranvier/ only. Units follow Ranvier: ms, mV, Hz.
#include <ranvier/cable_cell_layout.hpp>
#include <ranvier/errors.hpp>
#include <ranvier/model_builder.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/run_report.hpp>
#include <ranvier/execution_context.hpp>
#include <ranvier/launch_environment.hpp>
#include <ranvier/units.hpp>
#include <ranvier/simulation.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace pybind11::literals;

namespace ranvier::python {
namespace {

// ---- numpy conversion -------------------------------------------------------

template <class T, class Source, class Field>
py::array_t<T> column(const std::vector<Source>& rows, Field field) {
    py::array_t<T> out(static_cast<py::ssize_t>(rows.size()));
    T* data = out.mutable_data();
    for (std::size_t i = 0; i < rows.size(); ++i) data[i] = static_cast<T>(field(rows[i]));
    return out;
}

// ---- output of one run() call ----------------------------------------------

// Keeps everything the engine streams (spikes only if the model records
// them: `[record] spikes`); converted to numpy after the run (no Python
// object is touched while the GIL is released).
class collecting_sink final : public output_sink {
public:
    // `progress` (None or a callable (t_ms, t_stop_ms)) is called at most
    // every 0.1 s of wall time and at the end, with the GIL taken for the
    // call; if it raises, the run stops (`stop`) and the error is kept for
    // rethrow_progress_error (called with the GIL held after the run).
    collecting_sink(spike_record_filter record_spikes, py::object progress, std::function<void()> stop)
        : record_spikes_(std::move(record_spikes)), progress_(std::move(progress)), stop_(std::move(stop)) {}
    ~collecting_sink() override {
        py::gil_scoped_acquire gil; // progress_ is released with the GIL held, from any thread
        progress_ = py::none();
    }
    void on_progress(time_type t, time_type t_stop) override {
        if (progress_.is_none() || error_) return;
        const auto now = std::chrono::steady_clock::now();
        if (t < t_stop && now - last_call_ < std::chrono::milliseconds(100)) return;
        last_call_ = now;
        py::gil_scoped_acquire gil;
        try {
            progress_(t, t_stop);
        } catch (...) {
            error_ = std::current_exception();
            stop_();
        }
    }
    void rethrow_progress_error() {
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }
    void on_spikes(std::span<const spike> s) override {
        if (record_spikes_.all()) {
            spikes.insert(spikes.end(), s.begin(), s.end());
        } else {
            for (const spike& x : s)
                if (record_spikes_.keeps(x.gid)) spikes.push_back(x);
        }
    }
    void on_samples(std::span<const trace_sample> s) override {
        samples.insert(samples.end(), s.begin(), s.end());
    }
    std::vector<spike> spikes;
    std::vector<trace_sample> samples;

private:
    spike_record_filter record_spikes_;
    py::object progress_;
    std::function<void()> stop_;
    std::chrono::steady_clock::time_point last_call_{};
    std::exception_ptr error_;
};

// Spikes of a run: two equally long arrays, sorted by time then gid.
struct spike_arrays {
    py::array_t<std::int64_t> gid;
    py::array_t<double> time; // ms
};

// What one call of Simulation.run produced.
struct run_result {
    spike_arrays spikes;
    py::dict traces;        // gid, probe (int64), time (ms), value (float64)
    double t_start = 0;     // ms, time at the start of the call
    double t_stop = 0;      // ms, time reached
    bool interrupted = false;
};

run_result make_result(collecting_sink& sink, double t_start, double t_stop, bool interrupted) {
    // Each epoch arrives sorted; sort the whole anyway so the documented order
    // holds whatever the engine's epoch boundaries are.
    std::stable_sort(sink.spikes.begin(), sink.spikes.end(), spike_before);
    std::stable_sort(sink.samples.begin(), sink.samples.end(),
                     [](const trace_sample& a, const trace_sample& b) {
                         if (a.time != b.time) return a.time < b.time;
                         if (a.gid != b.gid) return a.gid < b.gid;
                         return a.probe < b.probe;
                     });
    run_result r;
    r.spikes.gid = column<std::int64_t>(sink.spikes, [](const spike& s) { return s.gid; });
    r.spikes.time = column<double>(sink.spikes, [](const spike& s) { return s.time; });
    r.traces["gid"] = column<std::int64_t>(sink.samples, [](const trace_sample& s) { return s.gid; });
    r.traces["probe"] = column<std::int64_t>(sink.samples, [](const trace_sample& s) { return s.probe; });
    r.traces["time"] = column<double>(sink.samples, [](const trace_sample& s) { return s.time; });
    r.traces["value"] = column<double>(sink.samples, [](const trace_sample& s) { return s.value; });
    r.t_start = t_start;
    r.t_stop = t_stop;
    r.interrupted = interrupted;
    return r;
}

// ---- Ctrl-C -----------------------------------------------------------------

// A C signal handler has no context argument, so the simulation to stop is
// reachable only through this atomic (the same pattern as the command line).
std::atomic<simulation*> interrupt_target{nullptr};
std::atomic<bool> interrupt_seen{false};

extern "C" void on_interrupt(int) {
    interrupt_seen.store(true);
    if (simulation* s = interrupt_target.load()) s->request_stop(); // one atomic store
}

// While alive, SIGINT stops `sim` at the end of its current epoch instead of
// waiting for Python's handler (which cannot run while C++ holds the thread).
// Installed only from the main thread and only when Python's default
// KeyboardInterrupt handler is in place, so a user's own handler is respected.
class interrupt_guard {
public:
    explicit interrupt_guard(simulation& sim) {
        py::module_ threading = py::module_::import("threading");
        py::module_ signal = py::module_::import("signal");
        const bool main_thread = threading.attr("current_thread")().is(threading.attr("main_thread")());
        if (!main_thread || !signal.attr("getsignal")(SIGINT).is(signal.attr("default_int_handler")))
            return;
        interrupt_seen.store(false);
        interrupt_target.store(&sim);
        previous_ = std::signal(SIGINT, on_interrupt);
        installed_ = previous_ != SIG_ERR;
        if (!installed_) interrupt_target.store(nullptr);
    }
    ~interrupt_guard() {
        if (!installed_) return;
        std::signal(SIGINT, previous_);
        interrupt_target.store(nullptr);
    }
    bool interrupted() const { return installed_ && interrupt_seen.load(); }
    interrupt_guard(const interrupt_guard&) = delete;
    interrupt_guard& operator=(const interrupt_guard&) = delete;

private:
    void (*previous_)(int) = SIG_DFL;
    bool installed_ = false;
};

// ---- the simulation ---------------------------------------------------------

// A built network ready to run; owns its copy of the model, the recipe and
// the engine, so later edits of the Python Model do not affect it.
class python_simulation {
public:
    // Under mpirun every process builds its part of one distributed
    // simulation (execution_context.hpp); rank 0 receives the output.
    // dry_run: play rank `dry_run_rank` of a pretend world of that many
    // processes (docs/scaling.md; the command line's --dry-run).
    python_simulation(model_file model, std::optional<int> dry_run, int dry_run_rank)
        : model_(std::move(model)), context_(context_for(dry_run, dry_run_rank)) {
        const auto start = std::chrono::steady_clock::now();
        run_.model = model_.network.origin;
        run_.version = RANVIER_VERSION;
        run_.t_stop = model_.t_stop;
        {
            py::gil_scoped_release release; // building large networks takes a while
            distributed_guard([&] {
                check_options(model_.options, model_.network.mechanisms); // dt, threads, tolerances first: the limits name them
                check_run_options(model_.network, model_.options); // options may have been edited
                run_.memory_before_build = io::current_memory_bytes();
                recipe_ = make_recipe(model_);
                sim_ = std::make_unique<simulation>(*recipe_, model_.options, context_);
            });
        }
        run_.total_wall_s += seconds_since(start);
    }

    run_result run(std::optional<double> t_stop_ms, py::object progress) {
        const double t_stop = t_stop_ms.value_or(model_.t_stop);
        const double t_start = sim_->statistics().t_reached;
        if (t_stop < t_start)
            throw py::value_error("run(t_stop): t_stop = " + std::to_string(t_stop) +
                                  " ms is before the time already reached, " +
                                  std::to_string(t_start) + " ms; give a later time to continue");
        bool expected = false;
        if (!running_.compare_exchange_strong(expected, true))
            throw std::runtime_error("this Simulation is already running in another thread");
        const auto start = std::chrono::steady_clock::now();
        collecting_sink sink(spike_record_filter(model_.network), std::move(progress),
                             [this] { sim_->request_stop(); });
        bool interrupted = false;
        try {
            interrupt_guard guard(*sim_);
            {
                py::gil_scoped_release release;
                distributed_guard([&] { sim_->run(t_stop, &sink); });
            }
            interrupted = guard.interrupted();
            sink.rethrow_progress_error();
        } catch (...) {
            running_.store(false);
            throw;
        }
        running_.store(false);
        run_.t_stop = t_stop;
        run_.interrupted = interrupted;
        run_.total_wall_s += seconds_since(start);
        run_result result = make_result(sink, t_start, sim_->statistics().t_reached, interrupted);
        last_result_ = py::cast(result);
        if (interrupted) {
            // Python's convention for Ctrl-C; the partial output stays in last_result.
            PyErr_SetNone(PyExc_KeyboardInterrupt);
            throw py::error_already_set();
        }
        return result;
    }

    // summary.json's object (the one rendering of a run's statistics, as a
    // dict): "t_stop_ms" and "interrupted" describe the last run() call,
    // "wall_time_s.total" the build and every run() so far.
    py::object statistics() const {
        const std::string text = io::run_summary_json(run_, sim_->options(), sim_->statistics());
        return py::module_::import("json").attr("loads")(text);
    }

    py::list probes(gid_type gid) const {
        if (gid >= recipe_->num_cells())
            throw py::index_error("gid " + std::to_string(gid) + " is out of range; the model has " +
                                  std::to_string(recipe_->num_cells()) + " cells");
        py::list out;
        for (const probe& p : recipe_->probes_on(gid)) {
            // where it samples (a cable cell's "" is its detector's location), as traces.csv says
            const std::string where = probe_location_text(*recipe_, gid, p);
            out.append(py::dict(py::arg("variable") = p.variable, py::arg("interval") = p.interval,
                                py::arg("location") = where,
                                py::arg("label") = where.empty() ? p.variable : p.variable + " " + where));
        }
        return out;
    }

    double t() const { return sim_->statistics().t_reached; }
    const model_file& model() const { return model_; }
    const simulation_options& options() const { return sim_->options(); }
    void request_stop() { sim_->request_stop(); }
    py::object last_result() const { return last_result_; }

    int rank() const { return context_.rank(); }
    bool dry_run() const { return context_.dry_run; }
    int processes() const { return context_.size(); }

private:
    static execution_context context_for(std::optional<int> dry_run, int dry_run_rank) {
        if (!dry_run) {
            if (dry_run_rank != 0)
                throw user_error("dry_run_rank = " + std::to_string(dry_run_rank) +
                                 " without dry_run: give dry_run = N (the pretend world's processes) too");
            return make_launch_context();
        }
        if (launched_processes() > 1)
            throw user_error("dry_run: a dry run is one process playing one rank of " + std::to_string(*dry_run) +
                             ", but mpirun started " + std::to_string(launched_processes()) + " processes (" +
                             launcher_setting() + "): run it without mpirun");
        return make_dry_run_context(*dry_run, dry_run_rank); // checks the count and the rank
    }

    // In a distributed run an error seen by one process would leave the
    // others waiting for it: it is printed, naming the process, and ends
    // every process (MPI_Abort). A single process raises it in Python.
    template <class Work>
    void distributed_guard(Work work) {
        if (context_.size() <= 1) return work();
        try {
            work();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ranvier: %serror: %s\n", process_prefix(context_).c_str(), e.what());
            abort_all_processes(context_, 1);
        }
    }

    model_file model_;
    execution_context context_;
    std::unique_ptr<recipe> recipe_;
    std::unique_ptr<simulation> sim_;
    std::atomic<bool> running_{false};
    py::object last_result_ = py::none();
    io::run_description run_; // for statistics()

    static double seconds_since(std::chrono::steady_clock::time_point start) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

// ---- helpers for the bound structs -------------------------------------------

py::dict atol_scale_dict(const simulation_options& o) {
    py::dict d;
    for (const auto& [state, factor] : o.atol_scale) d[py::str(state)] = factor;
    return d;
}

void set_atol_scale(simulation_options& o, const py::dict& d) {
    std::vector<std::pair<std::string, double>> scale;
    for (const auto& [key, value] : d) scale.emplace_back(py::cast<std::string>(key), py::cast<double>(value));
    o.atol_scale = std::move(scale);
}

py::dict options_dict(const simulation_options& o) {
    py::dict d;
    d["mode"] = to_string(o.mode);
    d["dt"] = o.dt;
    d["scheme"] = to_string(o.scheme);
    d["threads"] = o.threads;
    d["seed"] = o.seed;
    d["group_size"] = o.group_size;
    d["atol"] = o.atol;
    d["rtol"] = o.rtol;
    d["atol_scale"] = atol_scale_dict(o);
    d["event_window"] = o.event_window;
    d["hybrid"] = o.hybrid;
    d["hybrid_window"] = o.hybrid_window;
    d["hybrid_cvode_step_cost"] = o.hybrid_cvode_step_cost;
    return d;
}

std::string options_repr(const simulation_options& o) {
    return "Options(" + py::cast<std::string>(py::repr(options_dict(o))) + ")";
}

// The population's `cell` as the model file writes it.
const char* kind_name(const population_spec& p) {
    switch (p.kind) {
    case cell_kind::lif: return "lif";
    case cell_kind::cable: return "cable";
    case cell_kind::artificial: return "artificial";
    case cell_kind::spike_source:
        return p.source.times.empty() && p.source_times.empty() ? "poisson_source" : "spike_source";
    }
    return "?";
}

py::list populations(const model_file& m) {
    py::list out;
    for (const population_spec& p : m.network.populations)
        out.append(py::dict(py::arg("name") = p.name, py::arg("size") = p.size,
                            py::arg("first_gid") = p.first_gid, py::arg("cell") = kind_name(p)));
    return out;
}

// ---- models built from Python ------------------------------------------------

// A Python value (the ranvier package has turned quantities into "20 ms"
// strings) as a model-file value; `key` names it in a TypeError.
model_value to_model_value(const py::handle& v, const std::string& key) {
    if (py::isinstance<py::bool_>(v)) return model_value(v.cast<bool>());
    if (py::isinstance<py::str>(v)) return model_value(v.cast<std::string>());
    // numpy scalars: integers have __index__, floats convert to float
    if (py::isinstance<py::int_>(v) || py::hasattr(v, "__index__"))
        return model_value(static_cast<std::int64_t>(py::int_(py::reinterpret_borrow<py::object>(v)).cast<long long>()));
    if (py::isinstance<py::float_>(v) || py::isinstance(v, py::module_::import("numpy").attr("floating")))
        return model_value(py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>());
    if (py::isinstance<py::dict>(v)) {
        model_table t;
        for (const auto& [k, x] : py::reinterpret_borrow<py::dict>(v)) {
            if (!py::isinstance<py::str>(k))
                throw py::type_error("'" + key + "': table keys must be strings, got " +
                                     py::cast<std::string>(py::repr(k)));
            const std::string name = k.cast<std::string>();
            t.emplace_back(name, to_model_value(x, key.empty() ? name : key + "." + name));
        }
        return model_value(std::move(t));
    }
    if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v) || py::isinstance<py::array>(v)) {
        model_list l;
        for (const auto& x : py::reinterpret_borrow<py::iterable>(v)) l.push_back(to_model_value(x, key));
        return model_value(std::move(l));
    }
    throw py::type_error("'" + key + "': expected a string (a quantity such as \"20 ms\"), a number, a bool, "
                         "a list or a dict, got " + py::cast<std::string>(py::repr(v)) + " of type " +
                         py::cast<std::string>(v.get_type().attr("__name__")));
}

model_table to_model_table(const py::dict& d) {
    model_table t;
    for (const auto& [k, x] : d) {
        const std::string name = py::cast<std::string>(k);
        t.emplace_back(name, to_model_value(x, name));
    }
    return t;
}

// add_explicit_projection with numpy arrays: read without the GIL (10^7
// connections take a while); the arrays are held by pybind11 meanwhile.
void add_explicit(model_builder& b, const py::dict& table,
                  const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& sources,
                  const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& targets,
                  const std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>& weights,
                  const std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>& delays,
                  const std::string& weight_unit, const std::string& delay_unit, const std::string& where) {
    for (const auto* a : {&sources, &targets})
        if (a->ndim() != 1) throw py::value_error(where + ": sources and targets must be 1-d arrays of indices");
    const model_table t = to_model_table(table);
    explicit_arrays arrays;
    arrays.sources = {sources.data(), static_cast<std::size_t>(sources.size())};
    arrays.targets = {targets.data(), static_cast<std::size_t>(targets.size())};
    if (weights) arrays.weights = {weights->data(), static_cast<std::size_t>(weights->size())};
    if (delays) arrays.delays = {delays->data(), static_cast<std::size_t>(delays->size())};
    arrays.weight_unit = weight_unit;
    arrays.delay_unit = delay_unit;
    py::gil_scoped_release release;
    b.add_explicit_projection(t, arrays, where);
}

// add_spike_source with numpy arrays (cells: indices in the population, times
// in `unit`): read without the GIL, no Python object per spike.
void add_spike_source(model_builder& b, const py::dict& table,
                      const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& cells,
                      const py::array_t<double, py::array::c_style | py::array::forcecast>& times,
                      const std::string& unit, const std::string& where) {
    if (cells.ndim() != 1 || times.ndim() != 1)
        throw py::value_error(where + ": cells and times must be 1-d arrays");
    const model_table t = to_model_table(table);
    spike_time_arrays arrays;
    arrays.cells = {cells.data(), static_cast<std::size_t>(cells.size())};
    arrays.times = {times.data(), static_cast<std::size_t>(times.size())};
    arrays.unit = unit;
    py::gil_scoped_release release;
    b.add_spike_source(t, arrays, where);
}

// ---- exploring cable cells ------------------------------------------------------

const cable_cell& cable_cell_of(const network_model& network, const std::string& population) {
    std::vector<std::string> cable;
    for (const population_spec& p : network.populations) {
        if (p.kind == cell_kind::cable) {
            if (p.name == population) return p.cable;
            cable.push_back(p.name);
        }
    }
    std::string names;
    for (const auto& n : cable) names += (names.empty() ? "" : ", ") + n;
    throw user_error("no cable population is named '" + population + "' (cable populations: " +
                     (names.empty() ? "none" : names) + ")");
}

// The layout of a population's cell: sections as a list of dicts, nodes as numpy arrays.
py::dict cell_layout(const network_model& network, const std::string& population) {
    const cable_cell_layout l = [&] {
        const cable_cell& c = cable_cell_of(network, population);
        py::gil_scoped_release release;
        return layout_of(c);
    }();
    py::list sections;
    for (const section_layout& s : l.sections) {
        py::array_t<double> points({static_cast<py::ssize_t>(s.points.size()), py::ssize_t{4}});
        auto p = points.mutable_unchecked<2>();
        for (std::size_t k = 0; k < s.points.size(); ++k) {
            const auto i = static_cast<py::ssize_t>(k);
            p(i, 0) = s.points[k].x, p(i, 1) = s.points[k].y, p(i, 2) = s.points[k].z, p(i, 3) = s.points[k].diam;
        }
        sections.append(py::dict(
            py::arg("name") = s.name, py::arg("tag") = s.tag,
            py::arg("parent") = s.parent < 0 ? py::object(py::none())
                                             : py::object(py::str(l.sections[static_cast<std::size_t>(s.parent)].name)),
            py::arg("parent_x") = s.parent_x, py::arg("length") = s.length_um, py::arg("diam") = s.diam_um,
            py::arg("area") = s.area_um2, py::arg("nseg") = s.nseg, py::arg("distance0") = s.distance0_um,
            py::arg("distance1") = s.distance1_um, py::arg("points") = points));
    }
    py::dict nodes;
    nodes["section"] = column<std::int64_t>(l.nodes, [](const node_layout& n) { return n.section; });
    nodes["x"] = column<double>(l.nodes, [](const node_layout& n) { return n.x; });
    nodes["area"] = column<double>(l.nodes, [](const node_layout& n) { return n.area_um2; });
    nodes["distance"] = column<double>(l.nodes, [](const node_layout& n) { return n.distance_um; });
    return py::dict(py::arg("sections") = sections, py::arg("nodes") = nodes);
}

model_file builtin_model(const std::string& name) {
    if (name == "brunel") return builtin_brunel_model();
    throw user_error("unknown built-in model '" + name + "'; the built-in models are: brunel");
}

} // namespace
} // namespace ranvier::python

PYBIND11_MODULE(_ranvier, m) {
    using namespace ranvier;
    using namespace ranvier::python;
    m.doc() = "Ranvier simulator: compiled core of the `ranvier` package.";
    m.attr("__version__") = RANVIER_VERSION;
    m.attr("MODES") = py::make_tuple("bsp-fixed", "bsp-variable", "async-fixed", "async-variable");

    // A user_error is the user's to fix (bad model text, option): a ValueError.
    py::register_exception<user_error>(m, "ModelError", PyExc_ValueError);

    py::class_<simulation_options>(m, "Options",
                                   "Simulation options (all fields of the model file's [simulation]).")
        .def(py::init<>())
        .def_property(
            "mode", [](const simulation_options& o) { return to_string(o.mode); },
            [](simulation_options& o, const std::string& name) { o.mode = parse_execution_mode(name); },
            "execution mode: 'bsp-fixed', 'bsp-variable', 'async-fixed' or 'async-variable'")
        .def_readwrite("dt", &simulation_options::dt, "time step of the fixed-step modes (ms)")
        .def_property(
            "scheme", [](const simulation_options& o) { return to_string(o.scheme); },
            [](simulation_options& o, const std::string& name) { o.scheme = parse_cable_scheme(name); },
            "cable cells' fixed-step scheme: 'backward-euler' (NEURON's default) or 'crank-nicolson'")
        .def_readwrite("threads", &simulation_options::threads, "worker threads (results do not depend on it)")
        .def_readwrite("seed", &simulation_options::seed, "seed of every random stream")
        .def_readwrite("group_size", &simulation_options::group_size, "cells per cell group, 0 = automatic")
        .def_readwrite("atol", &simulation_options::atol, "variable step: absolute tolerance")
        .def_readwrite("rtol", &simulation_options::rtol, "variable step: relative tolerance")
        .def_readwrite("event_window", &simulation_options::event_window,
                       "variable step: event grouping window (ms), 0 = exact event times")
        .def_readwrite("hybrid", &simulation_options::hybrid,
                       "variable step: each cable cell switches to the fixed step dt when that is cheaper")
        .def_readwrite("hybrid_window", &simulation_options::hybrid_window,
                       "hybrid stepping: ms between the cells' choices (a whole number of dt)")
        .def_readwrite("hybrid_cvode_step_cost", &simulation_options::hybrid_cvode_step_cost,
                       "hybrid stepping: one CVODE step in fixed steps of the same cell")
        .def_property("atol_scale", &atol_scale_dict, &set_atol_scale,
                      "per-state atol factors as a dict, e.g. {'cad.cai': 0.01}; assign a whole dict "
                      "(the returned dict is a copy)")
        .def("to_dict", &options_dict)
        .def("__eq__", [](const simulation_options& a, const simulation_options& b) {
            return options_dict(a).equal(options_dict(b));
        })
        .def("__copy__", [](const simulation_options& o) { return simulation_options(o); })
        .def("__deepcopy__", [](const simulation_options& o, py::dict) { return simulation_options(o); })
        .def("__repr__", &options_repr);

    py::class_<model_file>(m, "Model", "A network model: populations, connections, inputs, options.")
        .def_property_readonly("origin", [](const model_file& mo) { return mo.network.origin; },
                               "file path, '<string>' or 'builtin:brunel'")
        .def_readwrite("t_stop", &model_file::t_stop, "default end time of Simulation.run (ms)")
        .def_readwrite("options", &model_file::options, "simulation options (edited in place)")
        .def_property_readonly("num_cells", [](const model_file& mo) { return mo.network.num_cells(); })
        .def_property_readonly("populations", &populations,
                               "list of dicts: name, size, first_gid, cell ('lif' or 'cable')")
        .def("to_toml", &model_file_to_toml,
             "the model as model-file text that parse_model reads back as the same model: its tables "
             "as read, [simulation] from the current t_stop and options, SWC and spike-file paths "
             "absolute (resolved against the model file's folder)")
        .def("save", [](const model_file& mo, const std::string& path) {
                 const std::string text = model_file_to_toml(mo);
                 py::module_::import("pathlib").attr("Path")(path).attr("write_text")(text, "encoding"_a = "utf-8");
             }, py::arg("path"), "writes to_toml() to `path`")
        .def("copy", [](const model_file& mo) { return model_file(mo); })
        .def("__copy__", [](const model_file& mo) { return model_file(mo); })
        .def("__deepcopy__", [](const model_file& mo, py::dict) { return model_file(mo); })
        .def("__repr__", [](const model_file& mo) {
            return "<ranvier.Model " + mo.network.origin + ": " + std::to_string(mo.network.num_cells()) +
                   " cells, t_stop " + py::cast<std::string>(py::repr(py::float_(mo.t_stop))) +
                   " ms, mode " + to_string(mo.options.mode) + ">";
        });

    py::class_<model_builder>(m, "ModelBuilder",
                              "A model built table by table (the model file's tables as dicts of strings with "
                              "units); used by ranvier.Network.")
        .def(py::init<std::string>(), py::arg("origin") = "<python>")
        .def("set_mechanisms", &model_builder::set_mechanisms, py::arg("dirs"), py::arg("where"),
             "mechanisms = [...]: directories of .mod files (built on first use)")
        .def("set_simulation", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.set_simulation(to_model_table(t), where); })
        .def("add_population", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.add_population(to_model_table(t), where); })
        .def("add_projection", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.add_projection(to_model_table(t), where); })
        .def("add_explicit_projection", &add_explicit, py::arg("table"), py::arg("sources"), py::arg("targets"),
             py::arg("weights") = py::none(), py::arg("delays") = py::none(), py::arg("weight_unit") = "",
             py::arg("delay_unit") = "", py::arg("where") = "connect")
        .def("add_spike_source", &add_spike_source, py::arg("table"), py::arg("cells"), py::arg("times"),
             py::arg("unit") = "ms", py::arg("where") = "spike_source")
        .def("add_poisson", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.add_poisson(to_model_table(t), where); })
        .def("add_current", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.add_current(to_model_table(t), where); })
        .def("set_record", [](model_builder& b, const py::dict& t, const std::string& where) {
            b.set_record(to_model_table(t), where); })
        .def("to_model", &model_builder::to_model_file, "the model (checked against its run options) as a Model")
        .def_property_readonly("populations", [](const model_builder& b) {
            model_file f; f.network.populations = b.model().network.populations; return populations(f); })
        .def_property_readonly("num_cells", [](const model_builder& b) { return b.model().network.num_cells(); })
        .def("to_toml", &model_builder::to_toml)
        .def("__copy__", [](const model_builder& b) { return model_builder(b); })
        .def("__deepcopy__", [](const model_builder& b, py::dict) { return model_builder(b); });

    m.def("cell_layout", [](const model_builder& b, const std::string& pop) { return cell_layout(b.model().network, pop); },
          py::arg("builder"), py::arg("population"));
    m.def("cell_layout", [](const model_file& f, const std::string& pop) { return cell_layout(f.network, pop); },
          py::arg("model"), py::arg("population"),
          "sections (list of dicts) and nodes (numpy arrays) of a cable population's cell");
    m.def("region_nodes", [](const model_builder& b, const std::string& pop, const std::string& region) {
              const auto n = region_node_indices(cable_cell_of(b.model().network, pop), region);
              return py::array_t<std::int64_t>(static_cast<py::ssize_t>(n.size()), std::vector<std::int64_t>(n.begin(), n.end()).data());
          }, py::arg("builder"), py::arg("population"), py::arg("region"));
    m.def("region_nodes", [](const model_file& f, const std::string& pop, const std::string& region) {
              const auto n = region_node_indices(cable_cell_of(f.network, pop), region);
              return py::array_t<std::int64_t>(static_cast<py::ssize_t>(n.size()), std::vector<std::int64_t>(n.begin(), n.end()).data());
          }, py::arg("model"), py::arg("population"), py::arg("region"));
    m.def("location_node", [](const model_builder& b, const std::string& pop, const std::string& where) {
              return location_node_index(cable_cell_of(b.model().network, pop), where);
          }, py::arg("builder"), py::arg("population"), py::arg("location"));
    m.def("location_node", [](const model_file& f, const std::string& pop, const std::string& where) {
              return location_node_index(cable_cell_of(f.network, pop), where);
          }, py::arg("model"), py::arg("population"), py::arg("location"));

    m.def("check_length", [](const std::string& text, const std::string& where, const std::string& key) {
              return parse_quantity(text, dimension::length, source_location{where, 0, key});
          }, py::arg("text"), py::arg("where"), py::arg("key"),
          "a length such as \"20 um\" in um; ModelError with the model file's message otherwise");
    m.def("load_model", &load_model_file_with_text, py::arg("path"),
          "Reads a TOML model file (docs/model-file.md). Raises ModelError naming file:line: key.");
    m.def("parse_model", &parse_model_file_with_text, py::arg("text"), py::arg("origin") = "<string>",
          "Parses model TOML text; `origin` names it in error messages.");
    m.def("builtin_model", &builtin_model, py::arg("name") = "brunel",
          "A model compiled into Ranvier ('brunel': examples/brunel.toml).");

    py::class_<spike_arrays>(m, "Spikes", "Spikes of a run: numpy arrays gid (int64), time (ms, float64), "
                                          "sorted by time then gid.")
        .def_readonly("gid", &spike_arrays::gid)
        .def_readonly("time", &spike_arrays::time)
        .def("__len__", [](const spike_arrays& s) { return s.gid.size(); })
        .def("__repr__", [](const spike_arrays& s) {
            return "<ranvier.Spikes: " + std::to_string(s.gid.size()) + " spikes>";
        });

    py::class_<run_result>(m, "Result", "Output of one Simulation.run call.")
        .def_readonly("spikes", &run_result::spikes)
        .def_readonly("traces", &run_result::traces,
                      "dict of numpy arrays: gid, probe (index into Simulation.probes(gid)), time (ms), "
                      "value, sorted by time, gid, probe")
        .def_readonly("t_start", &run_result::t_start, "ms, time when this call started")
        .def_readonly("t_stop", &run_result::t_stop, "ms, time reached by this call")
        .def_readonly("interrupted", &run_result::interrupted)
        .def("__repr__", [](const run_result& r) {
            return "<ranvier.Result " + py::cast<std::string>(py::repr(py::float_(r.t_start))) + "-" +
                   py::cast<std::string>(py::repr(py::float_(r.t_stop))) + " ms: " +
                   std::to_string(r.spikes.gid.size()) + " spikes, " +
                   std::to_string(py::len(r.traces["time"])) + " samples>";
        });

    py::class_<python_simulation>(m, "Simulation",
                                  "A built network. Simulation(model) copies the model and builts it.")
        .def(py::init<model_file, std::optional<int>, int>(), py::arg("model"), py::arg("dry_run") = py::none(),
             py::arg("dry_run_rank") = 0,
             "dry_run = N: build and run only rank dry_run_rank's share of an N-process run, modelling the "
             "other ranks as copies of it (docs/scaling.md); statistics['dry_run'] then holds what the rank "
             "would send and receive. No MPI is needed; not under mpirun.")
        .def_property_readonly("dry_run", [](const python_simulation& s) { return s.dry_run(); },
                               "True when this Simulation plays one rank of a pretend world (dry_run = N)")
        .def("run", &python_simulation::run, py::arg("t_stop") = py::none(), py::arg("progress") = py::none(),
             "Advances to the absolute time t_stop (ms; default model.t_stop) and returns the spikes "
             "and traces produced by this call. Call again with a later time to continue. Ctrl-C "
             "stops at the end of the current epoch and raises KeyboardInterrupt (partial output in "
             "last_result). progress: None or a callable (t_ms, t_stop_ms), called at most every 0.1 s; "
             "if it raises, the run stops and the exception propagates.")
        .def_property_readonly("t", &python_simulation::t, "ms of biological time reached")
        .def_property_readonly("statistics", &python_simulation::statistics,
                               "summary.json's object as a dict (the same keys): what was run, counters, wall "
                               "times, memory; t_stop_ms and interrupted describe the last run() call")
        .def_property_readonly("options", [](const python_simulation& s) { return simulation_options(s.options()); })
        .def_property_readonly("model", [](const python_simulation& s) { return model_file(s.model()); })
        .def_property_readonly("last_result", &python_simulation::last_result)
        .def("probes", &python_simulation::probes, py::arg("gid"),
             "the probes of a cell: list of dicts variable, interval (ms), location (where it samples: a "
             "cable cell's default is its detector's location), label ('v soma(0.5)')")
        .def("request_stop", &python_simulation::request_stop,
             "asks a running run() (in another thread) to stop at the end of its epoch")
        .def_property_readonly("rank", &python_simulation::rank,
                               "this process under mpirun (0 .. processes - 1); 0 when run alone")
        .def_property_readonly("processes", &python_simulation::processes,
                               "processes sharing the network (mpirun -np N); rank 0 gets the spikes and "
                               "traces, the other ranks' results are empty");
}
