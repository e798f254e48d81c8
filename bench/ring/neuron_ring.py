"""NEURON peer of Ranvier's ring benchmark: rings of branched HH cells passing one spike around.

Run inside NEURON (see README.md):
  test/validation/reference/neuron/nrnpy.sh bench/ring/neuron_ring.py --ncells 2048 --out DIR
Prints one JSON line with sizes and timings and writes DIR/spikes.csv (gid,time_ms sorted by
time then gid). The model is specified number by number in bench/ring/README.md.

Under MPI (`mpirun -np N nrniv -mpi -python neuron_ring.py ...`, as bench/scaling runs it)
cells are dealt round-robin over the ranks (gid % N), each rank builds only its cells and
the connections onto them, and rank 0 gathers the spikes and prints the line (timings are
rank 0's; setup and run end at the same collective calls on every rank).
"""
import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "validation", "reference", "neuron"))
from nrn_session import hoc_interpreter, script_args  # noqa: E402

# Model constants (units in names); README.md repeats them.
CELSIUS_DEGC = 6.3
V_INIT_MV = -65.0
RA_OHM_CM = 100.0
CM_UF_PER_CM2 = 1.0
SOMA_L_UM = 20.0
SOMA_DIAM_UM = 20.0
TRUNK_DIAM_UM = 2.0
BRANCH_L_UM = 100.0
PAS_G_S_PER_CM2 = 1e-4
PAS_E_MV = -65.0
SYN_TAU_MS = 2.0
SYN_E_MV = 0.0
SYN_X = 0.5                 # position of the ExpSyn on the trunk section
SYN_WEIGHT_US = 0.05
THRESHOLD_MV = 10.0
DELAY_MS = 1.0
STIM_TIME_MS = 1.0          # the single external event on the first cell of each ring


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ncells", type=int, default=2048)
    p.add_argument("--nring", type=int, default=8, help="cells per ring")
    p.add_argument("--branch", type=int, default=4, help="depth of the binary dendritic tree")
    p.add_argument("--compartments", type=int, default=3, help="nseg of every dendritic section")
    p.add_argument("--tstop", type=float, default=100.0)
    p.add_argument("--threads", type=int, default=1, choices=(1, 2))
    p.add_argument("--dt", type=float, default=0.025)
    p.add_argument("--variable", action="store_true",
                   help="per-cell variable step (cvode.use_local_dt(1), NEURON's lvardt) instead of fixed dt")
    p.add_argument("--atol", type=float, default=1e-3, help="absolute tolerance with --variable")
    p.add_argument("--out", default=".")
    return p.parse_args(script_args(__file__))


class RingCell:
    """Soma (hh) with a binary tree of passive dendrites and one ExpSyn on the trunk."""

    def __init__(self, h, gid, depth, nseg):
        self.soma = h.Section(name=f"soma_{gid}")
        self.soma.L, self.soma.diam, self.soma.nseg = SOMA_L_UM, SOMA_DIAM_UM, 1
        self.soma.insert("hh")          # NEURON defaults: gnabar .12, gkbar .036, gl .0003, el -54.3
        self.dends = []
        parents = [self.soma]
        for level in range(depth + 1):
            # Rall's 3/2 rule: each daughter has diam = parent diam * 2^(-2/3).
            diam = TRUNK_DIAM_UM * 2.0 ** (-2.0 * level / 3.0)
            children = []
            for parent in parents:
                for _ in range(1 if level == 0 else 2):
                    d = h.Section(name=f"dend_{gid}_{len(self.dends)}")
                    d.L, d.diam, d.nseg = BRANCH_L_UM, diam, nseg
                    d.insert("pas")
                    d.g_pas, d.e_pas = PAS_G_S_PER_CM2, PAS_E_MV
                    d.connect(parent(1), 0)
                    self.dends.append(d)
                    children.append(d)
            parents = children
        for sec in [self.soma] + self.dends:
            sec.Ra, sec.cm = RA_OHM_CM, CM_UF_PER_CM2
        self.syn = h.ExpSyn(self.dends[0](SYN_X))
        self.syn.tau, self.syn.e = SYN_TAU_MS, SYN_E_MV

    def compartments(self):
        return self.soma.nseg + sum(d.nseg for d in self.dends)


def main():
    args = parse_args()
    if args.ncells % args.nring:
        raise SystemExit(f"--ncells {args.ncells} must be a multiple of --nring {args.nring}")
    h = hoc_interpreter()
    t_start = time.perf_counter()
    pc = h.ParallelContext()
    h.celsius = CELSIUS_DEGC
    h.usetable_hh = 0                   # exact hh rates, as in Ranvier
    h.dt = args.dt
    h.secondorder = 0                   # NEURON's default fixed step

    rank, nhost = int(pc.id()), int(pc.nhost())
    cells, detectors, conns = {}, [], []
    for gid in range(rank, args.ncells, nhost):
        cell = RingCell(h, gid, args.branch, args.compartments)
        pc.set_gid2node(gid, rank)
        det = h.NetCon(cell.soma(0.5)._ref_v, None, sec=cell.soma)
        det.threshold = THRESHOLD_MV
        pc.cell(gid, det)
        cells[gid] = cell
        detectors.append(det)
    for gid in range(args.ncells):
        ring, pos = divmod(gid, args.nring)
        target = ring * args.nring + (pos + 1) % args.nring
        if target not in cells:
            continue
        nc = pc.gid_connect(gid, cells[target].syn)
        nc.delay, nc.weight[0] = DELAY_MS, SYN_WEIGHT_US
        conns.append(nc)

    stims = []
    for ring in range(args.ncells // args.nring):
        first = ring * args.nring
        if first not in cells:
            continue
        nc = h.NetCon(None, cells[first].syn)
        nc.weight[0] = SYN_WEIGHT_US
        stims.append(nc)

    def kick():
        for nc in stims:
            nc.event(STIM_TIME_MS)
    kick_handler = h.FInitializeHandler(1, kick)  # noqa: F841 (must stay alive for the run)

    tvec, idvec = h.Vector(), h.Vector()
    pc.spike_record(-1, tvec, idvec)
    pc.nthread(args.threads)            # cells go to threads whole, round-robin
    h.cvode.cache_efficient(1)
    if args.variable:
        h.cvode.active(1)
        h.cvode.use_local_dt(1)         # one CVODE per cell: lvardt
        h.cvode.atol(args.atol)
        h.cvode.rtol(0)
        h.cvode.condition_order(2)      # threshold crossings interpolated, not at step ends
    pc.set_maxstep(10)
    h.finitialize(V_INIT_MV)
    pc.barrier()
    t_setup = time.perf_counter() - t_start

    t0 = time.perf_counter()
    pc.psolve(args.tstop)
    pc.barrier()
    t_run = time.perf_counter() - t0

    local = list(zip(tvec, idvec))
    gathered = pc.py_gather(local, 0) if nhost > 1 else [local]
    comps = int(pc.allreduce(sum(c.compartments() for c in cells.values()), 1))
    if rank != 0:
        pc.done()
        return
    spikes = sorted((s for part in gathered for s in part), key=lambda s: (round(s[0], 9), s[1]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "spikes.csv"), "w") as f:
        f.write("gid,time_ms\n")
        for t, gid in spikes:
            f.write("%d,%.10g\n" % (int(gid), t))

    nsteps = int(round(args.tstop / args.dt))
    print(json.dumps({
        "ncells": args.ncells,
        "compartments_total": comps,
        "tstop_ms": args.tstop,
        "threads": args.threads,
        "processes": nhost,
        "wall_setup_s": round(t_setup, 4),
        "wall_run_s": round(t_run, 4),
        "ns_per_compartment_step": round(t_run * 1e9 / (comps * nsteps), 3),
        "spikes": len(spikes),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "simulator": h.nrnversion(),
        "cells_per_ring": args.nring,
        "branch_depth": args.branch,
        "nseg_per_dend_section": args.compartments,
        "dt_ms": args.dt,
        "method": f"lvardt atol {args.atol}" if args.variable else "fixed",
    }))
    if nhost > 1:
        pc.done()


main()
