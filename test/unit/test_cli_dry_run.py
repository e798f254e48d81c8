"""`ranvier run MODEL --dry-run N [--dry-run-rank K]` (docs/scaling.md): one
process plays rank K of N. A world of one writes the normal run's files; on
a model made of two identical halves rank K writes the spikes of its half
that the whole network gives (and that a real `mpirun -np 2` gives, when
mpirun is here); memory per process falls with N; bad worlds are refused."""

import csv
import json
import os
import pathlib
import random
import shutil
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
MPI_BUILD = os.environ.get("RANVIER_MPI", "ON") == "ON"
MPIRUN = os.environ.get("RANVIER_MPIEXEC") or shutil.which("mpirun")
# Containers without ptrace rights: Open MPI's plain-copy path (test/mpi/).
MPI_ENV = {"OMPI_MCA_btl_vader_single_copy_mechanism": "none"}

SOURCES, CELLS = 8, 60  # per half


def identical_halves_model():
    """Two halves [S0, E0] and [S1, E1] with the same spike-source times, the
    same connections by index within each half, and the same connections
    from the other half: shifting gids by one half maps the network onto
    itself, so each half spikes exactly as the other (the dry run's copy
    model holds exactly). No gid-keyed randomness (Poisson, V_init draws)."""
    rng = random.Random(5)
    cells, times = [], []
    for s in range(SOURCES):
        for _ in range(25):
            cells.append(s)
            times.append(round(rng.uniform(0, 200), 1))
    source_pairs = [[rng.randrange(SOURCES), e] for e in range(CELLS) for _ in range(3)]
    within = [[rng.randrange(CELLS), e] for e in range(CELLS) for _ in range(8)]
    across = [[rng.randrange(CELLS), e] for e in range(CELLS) for _ in range(8)]

    def weights(pairs):
        return "[" + ", ".join('"-1.5 mV"' if s % 4 == 0 else '"0.8 mV"' for s, _ in pairs) + "]"

    def delays(pairs):
        return "[" + ", ".join(f'"{1 + 0.1 * ((s * 7 + t) % 20):.1f} ms"' for s, t in pairs) + "]"

    text = ['[simulation]\nt_stop = "200 ms"\ndt = "0.1 ms"\nseed = 1\n']
    for h in (0, 1):
        text.append(f'''[[population]]
name = "S{h}"
size = {SOURCES}
cell = "spike_source"
spikes = {{ cells = {cells}, times = {times}, unit = "ms" }}

[[population]]
name = "E{h}"
size = {CELLS}
cell = "lif"
synapse = "delta"
tau_m = "20 ms"
E_L = "0 mV"
V_th = "20 mV"
V_reset = "10 mV"
t_ref = "2 ms"
V_init = "5 mV"
I_e = "190 pA"
''')
    for h in (0, 1):
        for source, pairs, w in ((f"S{h}", source_pairs, '"8 mV"'), (f"E{h}", within, None),
                                 (f"E{1 - h}", across, None)):
            text.append(f'''[[projection]]
source = "{source}"
target = "E{h}"
rule = "explicit"
pairs = {pairs}
''' + (f'weight = {w}\ndelay = "1 ms"\n' if w else f"weights = {weights(pairs)}\ndelays = {delays(pairs)}\n"))
    text.append("[record]\nspikes = true\n")
    return "\n".join(text)


def run(*args, env=None):
    return subprocess.run([RANVIER, "run", *map(str, args), "--no-plot", "-q"], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, **(env or {})))


def spikes(out, begin=0, end=None):
    rows = list(csv.reader((pathlib.Path(out) / "spikes.csv").open()))[1:]
    return [(g, t) for g, t in rows if int(g) >= begin and (end is None or int(g) < end)]


def summary(out):
    return json.loads((pathlib.Path(out) / "summary.json").read_text())


@pytest.mark.parametrize("mode", ["bsp-fixed", "async-fixed", "bsp-variable", "async-variable"])
def test_each_rank_of_identical_halves_writes_what_the_whole_network_gives_it(tmp_path, mode):
    model = tmp_path / "halves.toml"
    model.write_text(identical_halves_model())
    half = SOURCES + CELLS
    whole = run(model, "--mode", mode, "--out", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    references = {"one process": tmp_path / "whole"}
    if MPI_BUILD and MPIRUN:
        command = [MPIRUN, "--oversubscribe", "-np", "2"]
        if os.geteuid() == 0:
            command.insert(1, "--allow-run-as-root")
        real = subprocess.run(command + [RANVIER, "run", str(model), "--mode", mode, "--out",
                                         str(tmp_path / "mpi"), "--no-plot", "-q"],
                              capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, **MPI_ENV))
        assert real.returncode == 0, real.stderr
        references["mpirun -np 2"] = tmp_path / "mpi"
    for rank in (0, 1):
        out = tmp_path / f"dry{rank}"
        r = run(model, "--mode", mode, "--dry-run", 2, "--dry-run-rank", rank, "--out", out)
        assert r.returncode == 0, r.stderr
        mine = spikes(out)
        assert len(mine) > 300
        for name, reference in references.items():
            assert mine == spikes(reference, rank * half, (rank + 1) * half), name
        d = summary(out)["dry_run"]
        assert d["processes"] == 2 and d["rank"] == rank and d["cells_per_process"] == half
        assert d["modelled_spikes"] > 0
        if mode.startswith("async") and "mpirun -np 2" in references:
            # The spikes rank K sends the other half are those of its cells
            # the other half has connections from: the same in the real run.
            # (How many messages carry them depends on timing; each has an
            # 8-byte watermark.)
            real = summary(references["mpirun -np 2"])["per_process"][rank]
            a = summary(out)["dry_run"]["async"]
            assert real["messages_sent"] > 0 and a["messages_sent"] > 0
            assert (a["bytes_sent"] - 8 * a["messages_sent"]
                    == real["message_bytes_sent"] - 8 * real["messages_sent"])


def test_a_world_of_one_writes_the_normal_run_and_reports_the_exchange(tmp_path):
    model = tmp_path / "halves.toml"
    model.write_text(identical_halves_model())
    assert run(model, "--out", tmp_path / "normal").returncode == 0
    r = subprocess.run([RANVIER, "run", str(model), "--dry-run", "1", "--out", str(tmp_path / "dry"),
                        "--no-plot"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "dry/spikes.csv").read_bytes() == (tmp_path / "normal/spikes.csv").read_bytes()
    s = summary(tmp_path / "dry")
    d = s["dry_run"]
    assert d["processes"] == 1 and d["rank"] == 0 and d["cells_per_process"] == s["cells"]
    assert "homogeneous" in d["model"]
    bsp = d["bsp"]
    assert bsp["epochs"] == 200  # 200 ms in epochs of the shortest delay, 1 ms
    assert bsp["spikes_sent_per_epoch"] == pytest.approx(s["spikes"] / 200)
    assert bsp["bytes_received_per_epoch"] == pytest.approx(16 + 16 * s["spikes"] / 200)
    assert d["peak_memory_bytes"] > 0 and d["build_s"] > 0
    # The console says what the run was and what it assumed.
    assert "dry run: rank 0 of 1 processes" in r.stdout
    assert "bsp exchange per epoch (200 epochs)" in r.stdout
    assert "homogeneous networks only" in r.stdout
    assert "dry run: rank 0 of 1 processes" in r.stderr  # the building line


def test_async_dry_run_reports_messages_per_second(tmp_path):
    model = tmp_path / "halves.toml"
    model.write_text(identical_halves_model())
    r = run(model, "--mode", "async-fixed", "--dry-run", 4, "--dry-run-rank", 2, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    a = summary(tmp_path / "o")["dry_run"]["async"]
    assert a["messages_sent"] > 0 and a["destinations"] >= 1
    assert a["messages_per_simulated_s"] == pytest.approx(a["messages_sent"] / 0.2)
    assert a["messages_per_wall_s"] > 0 and a["bytes_per_wall_s"] > 0


def test_memory_per_process_falls_with_the_number_of_processes(tmp_path):
    # Brunel's 12,500 cells and 15.6 million connections: rank 0 of 16
    # holds a sixteenth of the connection tables. Peak memory (RSS) includes
    # the program itself (about 10-20 MB), so ask for less than half only.
    peaks = {}
    for n in (1, 16):
        out = tmp_path / f"n{n}"
        r = run(SOURCE / "examples/brunel.toml", "--t-stop", 5, "--dry-run", n, "--out", out)
        assert r.returncode == 0, r.stderr
        s = summary(out)
        peaks[n] = s["dry_run"]["peak_memory_bytes"]
        assert s["cells"] == 12500 and s["dry_run"]["cells_per_process"] == 12500 // n
    assert peaks[16] < 0.5 * peaks[1], peaks


def test_help_documents_the_dry_run():
    r = subprocess.run([RANVIER, "run", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert "--dry-run" in r.stdout and "--dry-run-rank" in r.stdout and "homogeneous" in r.stdout


def test_bad_worlds_are_refused_naming_what_is_right(tmp_path):
    model = tmp_path / "halves.toml"
    model.write_text(identical_halves_model())
    for value in ("0", "-3", "two"):
        r = run(model, "--dry-run", value, "--out", tmp_path / "o")
        assert r.returncode == 2, r.stderr
        assert "--dry-run" in r.stderr and "from 1 to" in r.stderr and f"'{value}'" in r.stderr
    r = run(model, "--dry-run", 4, "--dry-run-rank", 4, "--out", tmp_path / "o")
    assert r.returncode == 2 and "--dry-run-rank 4" in r.stderr and "0 to 3" in r.stderr, r.stderr
    r = run(model, "--dry-run-rank", 1, "--out", tmp_path / "o")
    assert r.returncode == 2 and "--dry-run" in r.stderr, r.stderr
    # Under a launcher of several processes (its variable is enough).
    r = run(model, "--dry-run", 4, "--out", tmp_path / "o", env={"OMPI_COMM_WORLD_SIZE": "2"})
    assert r.returncode == 2 and "without mpirun" in r.stderr, r.stderr
    assert not (tmp_path / "o").exists(), "a refused dry run must not run"


@pytest.mark.skipif(not (MPI_BUILD and MPIRUN), reason="needs mpirun and an MPI build")
def test_a_dry_run_under_mpirun_is_refused(tmp_path):
    command = [MPIRUN, "--oversubscribe", "-np", "2"]
    if os.geteuid() == 0:
        command.insert(1, "--allow-run-as-root")
    model = tmp_path / "halves.toml"
    model.write_text(identical_halves_model())
    r = subprocess.run(command + [RANVIER, "run", str(model), "--dry-run", "4", "--out",
                                  str(tmp_path / "o"), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, **MPI_ENV))
    assert r.returncode != 0 and "without mpirun" in r.stderr, r.stderr
