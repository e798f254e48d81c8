"""User mechanisms from .mod files (docs/nmodl.md): `ranvier build-mechanisms`,
its cache, its errors, and model files with mechanisms = ["dir"] run in all
four execution modes.

The built-ins' own .mod files (src/cable/mechanisms/builtin/hh.mod, pas.mod,
...) under other names (hhu, pasu) go through the run-time path (translated,
compiled and loaded as a catalogue) and must give the runs of the built-in
hh and pas, which the build translated from the same files: the same spikes
in every mode."""

import csv
import os
import pathlib
import shutil
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
BUILTIN = SOURCE / "src" / "cable" / "mechanisms" / "builtin"  # the built-ins' .mod files
NMODL = SOURCE / "test" / "data" / "nmodl"

MODES = ["bsp-fixed", "async-fixed", "bsp-variable", "async-variable"]


def run(*args, cwd=None):
    return subprocess.run([RANVIER, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def renamed_copies(directory, point_processes=True):
    """hh.mod and pas.mod as mechanisms hhu and pasu, expsyn.mod and
    iclamp.mod as ExpSynU and IClampU, plus kdr.mod."""
    directory.mkdir(parents=True, exist_ok=True)
    renames = [("hh", "SUFFIX hh", "SUFFIX hhu"), ("pas", "SUFFIX pas", "SUFFIX pasu")]
    if point_processes:
        renames += [("expsyn", "POINT_PROCESS ExpSyn", "POINT_PROCESS ExpSynU"),
                    ("iclamp", "POINT_PROCESS IClamp", "POINT_PROCESS IClampU")]
    for mod, old, new in renames:
        text = (BUILTIN / f"{mod}.mod").read_text()
        assert old in text
        (directory / f"{mod}u.mod").write_text(text.replace(old, new))
    shutil.copy(NMODL / "user" / "kdr.mod", directory / "kdr.mod")
    return directory


def model(hh, pas, extra_paint="", mechanisms="", mode="bsp-fixed", simulation="", syn="ExpSyn",
          clamp=None):
    """Two cells in a ring (soma with hh, three dendrites with pas), one kick
    (an event onto the synapse of cell 0), and with `clamp` a current pulse
    into cell 1."""
    pulse = (f'stimuli = [{{ location = "soma(0.5)", mechanism = "{clamp}", del = "3 ms", dur = "1.5 ms", '
             'amp = "0.3 nA", cells = [1] }]') if clamp else ""
    return f"""{mechanisms}
[simulation]
t_stop = "60 ms"
dt = "0.025 ms"
mode = "{mode}"
atol = 1e-6
{simulation}

[[population]]
name = "ring"
size = 2
cell = "cable"
celsius = "16 degC"
v_init = "-65 mV"
discretization = {{ nseg = 3, Ra = "100 ohm*cm", cm = "1 uF/cm2" }}
paint = [
    {{ region = "soma", mechanism = "{hh}", gnabar = "0.12 S/cm2", gkbar = "0.036 S/cm2", gl = "0.0003 S/cm2", el = "-54.3 mV" }},
    {{ region = "dend", mechanism = "{pas}", g = "0.0001 S/cm2", e = "-65 mV" }},
    {extra_paint}
]
synapses = [{{ location = "dend[0](0.5)", mechanism = "{syn}", tau = "2 ms", e = "0 mV" }}]
{pulse}
detector = {{ location = "soma(0.5)", threshold = "10 mV" }}
events = [{{ synapse = 0, time = "1 ms", weight = "0.05 uS", cells = [0] }}]
sections = [
    {{ name = "soma", length = "20 um", diam = "20 um", tag = 1 }},
    {{ name = "dend[0]", parent = "soma", parent_x = 1, length = "100 um", diam = "2 um", tag = 3 }},
    {{ name = "dend[1]", parent = "dend[0]", parent_x = 1, length = "100 um", diam = "1.2 um", tag = 3 }},
    {{ name = "dend[2]", parent = "dend[0]", parent_x = 1, length = "100 um", diam = "1.2 um", tag = 3 }},
]

[[projection]]
source = "ring"
target = "ring"
rule = "explicit"
pairs = [[0, 1], [1, 0]]
synapse = 0
weight = "0.05 uS"
delay = "5 ms"

[record]
spikes = true
probes = [{{ gids = [0], variable = "{hh}.m", location = "soma(0.5)", interval = "0.5 ms" }}]
"""


def spikes_of(out):
    with open(out / "spikes.csv") as f:
        return [(int(r["gid"]), float(r["time_ms"])) for r in csv.DictReader(f)]


def traces_of(out):
    with open(out / "traces.csv") as f:
        return list(csv.DictReader(f))


def run_model(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    out = tmp_path / f"out-{name}"
    r = run("run", str(path), "-o", str(out), "--no-plot", "-q")
    assert r.returncode == 0, r.stderr
    return out, r


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One directory of user mechanisms, built once for the module."""
    base = tmp_path_factory.mktemp("mech")
    d = renamed_copies(base / "mod")
    r = run("build-mechanisms", str(d))
    assert r.returncode == 0, r.stderr
    return base


def test_build_mechanisms_then_cache(tmp_path):
    d = renamed_copies(tmp_path / "mod", point_processes=False)
    (d / "hhu.mod").unlink()  # (two small files compile faster)
    first = run("build-mechanisms", str(d))
    assert first.returncode == 0, first.stderr
    assert f"translating {d / 'kdr.mod'}" in first.stdout
    assert f"  pasu  ({d / 'pasu.mod'})" in first.stdout
    assert "compiling 2 mechanisms" in first.stdout
    libs = list((d / ".ranvier").glob("*/catalogue.so"))
    assert len(libs) == 1
    for name in ("kdr", "pasu"):
        assert f"  {name}  (" in first.stdout
    stamp = libs[0].stat().st_mtime_ns

    # Nothing changed: nothing is translated or compiled again.
    second = run("build-mechanisms", str(d))
    assert second.returncode == 0, second.stderr
    assert "up to date: " + str(libs[0]) in second.stdout
    assert "compiling" not in second.stdout and "translating" not in second.stdout
    assert libs[0].stat().st_mtime_ns == stamp

    # -o copies the library.
    out = tmp_path / "kdr_catalogue.so"
    third = run("build-mechanisms", str(d), "-o", str(out))
    assert third.returncode == 0 and out.read_bytes() == libs[0].read_bytes()

    # A changed .mod file is a new library (the old one stays as it was).
    (d / "kdr.mod").write_text((d / "kdr.mod").read_text().replace("vhalf = -40", "vhalf = -41"))
    fourth = run("build-mechanisms", str(d))
    assert fourth.returncode == 0, fourth.stderr
    assert "compiling 2 mechanisms" in fourth.stdout
    assert len(list((d / ".ranvier").glob("*/catalogue.so"))) == 2
    assert libs[0].stat().st_mtime_ns == stamp


def test_build_mechanisms_errors(tmp_path):
    r = run("build-mechanisms", str(tmp_path / "nowhere"))
    assert r.returncode == 1
    assert f"mechanism directory '{tmp_path / 'nowhere'}' does not exist" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run("build-mechanisms", str(tmp_path / "empty"))
    assert r.returncode == 1 and "holds no .mod files" in r.stderr
    r = run("build-mechanisms")
    assert r.returncode == 2


def test_refusal_through_run_names_model_mod_file_and_line(tmp_path):
    d = tmp_path / "mod"
    d.mkdir()
    text = (BUILTIN / "pas.mod").read_text().replace("SUFFIX pas", "SUFFIX vleak")
    text = text.replace("BREAKPOINT { i = g*(v - e) }", "BREAKPOINT {\n    i = g*(v - e)\nVERBATIM\n    i = 0;\nENDVERBATIM\n}")
    (d / "vleak.mod").write_text(text)
    line = text.splitlines().index("VERBATIM") + 1
    m = tmp_path / "model.toml"
    m.write_text('mechanisms = ["mod"]\n' + model("hh", "vleak").split("\n", 1)[1])
    r = run("run", str(m), "-o", str(tmp_path / "out"), "--no-plot", "-q")
    assert r.returncode != 0
    assert f"{m}:1: 'mechanisms': {d / 'vleak.mod'}:{line}: error: VERBATIM" in r.stderr
    assert "docs/nmodl.md" in r.stderr


def test_name_clash_names_both_sources(tmp_path):
    d = tmp_path / "mod"
    d.mkdir()
    shutil.copy(BUILTIN / "pas.mod", d / "pas.mod")
    m = tmp_path / "model.toml"
    m.write_text(model("hh", "pas", mechanisms='mechanisms = ["mod"]'))
    r = run("run", str(m), "-o", str(tmp_path / "out"), "--no-plot", "-q")
    assert r.returncode != 0
    assert f"{d / 'pas.mod'}: mechanism 'pas' is also defined by Ranvier (a built-in mechanism)" in r.stderr
    # Two directories defining the same name.
    e = tmp_path / "other"
    e.mkdir()
    (d / "pas.mod").write_text((BUILTIN / "pas.mod").read_text().replace("SUFFIX pas", "SUFFIX pasx"))
    shutil.copy(d / "pas.mod", e / "pasx.mod")
    m.write_text(model("hh", "pas", mechanisms='mechanisms = ["mod", "other"]'))
    r = run("run", str(m), "-o", str(tmp_path / "out"), "--no-plot", "-q")
    assert r.returncode != 0
    assert f"{e / 'pasx.mod'}: mechanism 'pasx' is also defined by {d / 'pas.mod'}" in r.stderr


def test_unknown_parameter_of_a_user_mechanism_lists_its_parameters(built, tmp_path):
    m = tmp_path / "model.toml"
    text = model("hh", "pas", extra_paint='{ region = "soma", mechanism = "kdr", gmax = "0.01 S/cm2" },',
                 mechanisms=f'mechanisms = ["{built / "mod"}"]')
    m.write_text(text)
    r = run("run", str(m), "-o", str(tmp_path / "out"), "--no-plot", "-q")
    assert r.returncode != 0
    assert "kdr has no parameter 'gmax'" in r.stderr
    # ek is the k ion's (read from the ion per node), not a parameter of kdr.
    assert "kdr has: gbar, vhalf" in r.stderr or "gbar (S/cm2), vhalf (mV)" in r.stderr
    assert "ek (mV)" not in r.stderr
    # Units are checked as for the built-ins: a conductance density is not a voltage.
    m.write_text(text.replace('gmax = "0.01 S/cm2"', 'gbar = "0.01 mV"'))
    r = run("run", str(m), "-o", str(tmp_path / "out"), "--no-plot", "-q")
    assert r.returncode != 0 and "'population.paint[2].gbar'" in r.stderr


@pytest.mark.parametrize("mode", MODES)
def test_translated_mechanisms_run_as_the_builtins(built, tmp_path, mode):
    """hh, pas, ExpSyn (a synapse receiving the ring's events) and IClamp (a
    stimulus) translated from .mod files against the built-ins."""
    mechanisms = f'mechanisms = ["{built / "mod"}"]'
    # atol_scale names the user mechanism's state (and the built-in's).
    ref, _ = run_model(tmp_path, "builtin", model("hh", "pas", mode=mode, clamp="IClamp",
                                                  simulation='atol_scale = { "hh.m" = 0.5, "ExpSyn.g" = 0.1 }'))
    gen, r = run_model(tmp_path, "user", model("hhu", "pasu", mechanisms=mechanisms, mode=mode,
                                               simulation='atol_scale = { "hhu.m" = 0.5, "ExpSynU.g" = 0.1 }',
                                               syn="ExpSynU", clamp="IClampU"))
    assert "compiling" not in r.stderr  # built by the fixture: the cache is used
    a, b = spikes_of(ref), spikes_of(gen)
    assert len(a) >= 6  # the kick goes round the ring
    assert any(g == 1 and 3 < t < 5 for g, t in a)  # the pulse fires cell 1 (the kick reaches it at 7 ms)
    assert [g for g, _ in a] == [g for g, _ in b]
    # The same code from the same .mod text, compiled by the build and by
    # build-mechanisms. Fixed step: the same numbers, bit for bit. CVODE:
    # the user's types come after the built-ins in the catalogue, so their
    # states sit elsewhere in CVODE's vector, its error norms sum in another
    # order and step choices can differ: spikes within CVODE's own error at
    # atol 1e-6 (about 1e-5 ms).
    ta, tb = traces_of(ref), traces_of(gen)
    assert len(ta) == len(tb) > 50
    assert {r["probe"] for r in tb} == {"hhu.m"}
    if "fixed" in mode:
        assert a == b
        assert [x["value"] for x in ta] == [y["value"] for y in tb]
    else:
        assert max(abs(x - y) for (_, x), (_, y) in zip(a, b)) < 1e-3
        assert max(abs(float(x["value"]) - float(y["value"])) for x, y in zip(ta, tb)) < 1e-2


def test_user_channel_in_every_mode(built, tmp_path):
    """kdr (a channel no built-in has) painted on the soma: it changes the
    membrane potential, the modes agree (bsp and async bit for bit), the
    fixed step converges to CVODE's run (backward Euler is first order: its
    spike times move towards CVODE's as dt shrinks), and its state is
    recorded."""
    mechanisms = f'mechanisms = ["{built / "mod"}"]'
    paint = '{ region = "soma", mechanism = "kdr", gbar = "0.02 S/cm2", vhalf = "-30 mV" },'
    probe = '{{ gids = [0], variable = "{}", location = "soma(0.5)", interval = "0.5 ms" }}'
    hh_probe = "probes = [" + probe.format("hh.m") + "]"
    runs = {}
    for mode in MODES:
        text = model("hh", "pas", extra_paint=paint, mechanisms=mechanisms, mode=mode)
        text = text.replace(hh_probe, "probes = [" + probe.format("v") + ", " + probe.format("kdr.n") + "]")
        out, _ = run_model(tmp_path, mode, text)
        runs[mode] = (spikes_of(out), traces_of(out))
    without, _ = run_model(tmp_path, "without", model("hh", "pas").replace(hh_probe, "probes = [" + probe.format("v") + "]"))
    v_with = [float(r["value"]) for r in runs["bsp-fixed"][1] if r["probe"] == "v"]
    v_without = [float(r["value"]) for r in traces_of(without)]
    assert len(v_with) == len(v_without) > 50
    assert max(abs(x - y) for x, y in zip(v_with, v_without)) > 1.0  # mV: kdr acts
    assert runs["bsp-fixed"] == runs["async-fixed"]
    assert runs["bsp-variable"] == runs["async-variable"]
    fixed, variable = runs["bsp-fixed"][0], runs["bsp-variable"][0]
    assert len(fixed) == len(variable) >= 6
    fine_text = (tmp_path / "bsp-fixed.toml").read_text().replace('dt = "0.025 ms"', 'dt = "0.005 ms"')
    fine, _ = run_model(tmp_path, "fine", fine_text)

    def error(run):
        return max(abs(x - y) for (_, x), (_, y) in zip(run, variable))
    # Measured: 0.27 ms at dt 0.025 (the built-ins alone: the same), 0.057 ms
    # at dt 0.005 (first order: 1/5); the spikes go round the ring 10 times,
    # each hop adding the step's error.
    assert error(spikes_of(fine)) < error(fixed) / 3
    assert error(spikes_of(fine)) < 0.1
    n = [float(r["value"]) for r in runs["bsp-fixed"][1] if r["probe"] == "kdr.n"]
    assert len(n) == len(v_with) and 0 < min(n) < max(n) < 1
