"""Distributed runs are bit-identical to one process: the HH ring, a mixed
LIF and cable network, and two LIF and cable halves with long delays between
them (pairwise horizons), all four modes (determinism_matrix.py)."""

import pytest

from determinism_matrix import check_model_in_mode
from mpi_support import MODES


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", ["ring", "mixed", "halves"])
def test_bit_identical_for_1_2_4_processes(tmp_path, model, mode):
    check_model_in_mode(tmp_path, model, mode)
