"""`cmake --install`: an installed Ranvier works from its prefix alone.

Installs this build into a temporary prefix and checks that the installed
command line finds its data files there (include/ranvier/installation.hpp):
`build-mechanisms` compiles against <prefix>/share/ranvier/src, `run` draws
its plots, RANVIER_DATA_DIR takes precedence, and the installed Python
package imports and runs."""

import os
import pathlib
import shutil
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = pathlib.Path(os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier")))
BUILD = RANVIER.parent
PYTHON_DIR = "lib/python3/dist-packages"

MODEL = """mechanisms = ["mod"]
[simulation]
t_stop = "20 ms"
dt = "0.025 ms"
[[population]]
name = "c"
size = 1
cell = "cable"
sections = [{ name = "soma", length = "20 um", diam = "20 um", tag = 1 }]
paint = [{ region = "soma", mechanism = "kdr", gbar = "0.03 S/cm2" },
         { region = "soma", mechanism = "hh" }]
stimuli = [{ location = "soma(0.5)", mechanism = "IClamp", del = "2 ms", dur = "10 ms", amp = "0.2 nA" }]
"""


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    root = tmp_path_factory.mktemp("install")
    done = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(root / "prefix")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "prefix"


def mod_dir(where):
    d = where / "mod"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE / "test" / "data" / "nmodl" / "user" / "kdr.mod", d / "kdr.mod")
    return d


def test_the_prefix_holds_the_program_headers_data_and_package(prefix):
    for f in ["bin/ranvier", "include/ranvier/simulation.hpp", "include/ranvier/installation.hpp",
              "share/ranvier/src/nmodl/translate.py",
              "share/ranvier/src/cable/mechanisms/mechanism.hpp",
              "share/ranvier/src/cable/mechanisms/mechanism.cpp",
              "share/ranvier/src/cable/mechanisms/catalogue_library.hpp",
              "share/ranvier/src/cable/mechanisms/fast_exp.hpp",
              "share/ranvier/python/ranvier/plot.py", f"{PYTHON_DIR}/ranvier/__init__.py"]:
        assert (prefix / f).is_file(), f


def test_installed_ranvier_compiles_catalogues_against_its_own_data(prefix, tmp_path):
    done = subprocess.run([str(prefix / "bin" / "ranvier"), "build-mechanisms", str(mod_dir(tmp_path))],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"-I{prefix / 'share' / 'ranvier' / 'src'}" in done.stdout
    assert str(SOURCE / "src") not in done.stdout


def test_installed_ranvier_runs_a_model_and_draws_its_plots(prefix, tmp_path):
    mod_dir(tmp_path)
    (tmp_path / "model.toml").write_text(MODEL)
    done = subprocess.run([str(prefix / "bin" / "ranvier"), "run", "model.toml", "--out", "out"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "spikes.csv").read_text().count("\n") > 1
    assert (tmp_path / "out" / "raster.png").stat().st_size > 0


def test_ranvier_data_dir_comes_first(prefix, tmp_path):
    """A translator found through RANVIER_DATA_DIR is the one run."""
    fake = tmp_path / "data" / "src" / "nmodl"
    fake.mkdir(parents=True)
    (fake / "translate.py").write_text("import sys\nsys.exit('the translator of RANVIER_DATA_DIR ran')\n")
    env = dict(os.environ, RANVIER_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([str(prefix / "bin" / "ranvier"), "build-mechanisms", str(mod_dir(tmp_path))],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode != 0
    assert "the translator of RANVIER_DATA_DIR ran" in done.stdout + done.stderr


def test_installed_python_package(prefix, tmp_path):
    if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON") != "ON":
        pytest.skip("the Python module is not built")
    env = dict(os.environ, PYTHONPATH=str(prefix / PYTHON_DIR))
    code = ("import ranvier, sys\n"
            "assert ranvier.__file__.startswith(sys.argv[1]), ranvier.__file__\n"
            "net = ranvier.Network(t_stop='200 ms')\n"
            "net.population('e', 10, cell='lif', I_e='1000 pA')\n"
            "print(len(ranvier.Simulation(net).run().spikes))\n")
    done = subprocess.run(["/usr/bin/python3", "-c", code, str(prefix)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[-1]) > 0
