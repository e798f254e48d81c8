#!/usr/bin/python3
"""Writes l5pc.swc: a layer-5 pyramidal-like morphology for the project's
realistic cell (issue 10, point 7). Not a reconstruction: a regular tree with
the proportions of a thick-tufted L5 cell, so that its numbers can be read
off this script.

- soma: NeuroMorpho three-point soma, diameter 24 um (type 1);
- axon: initial segment 40 um, diameter 1.5 um, then 400 um of 1 um (type 2),
  tapering linearly within each piece;
- 6 basal trees (type 3): a 40 um stem of 2 um splitting twice into branches
  of 80 um and 140 um (diameters 1.3 and 0.8 um), spread around the soma;
- apical trunk (type 4): 900 um from 5 um to 2 um in 9 pieces of 100 um with
  one oblique (120 um, 0.9 um) at each of the first 6 joints, alternating
  sides; a tuft of 3 levels of binary branching (150, 150, 200 um;
  1.6, 1.1, 0.7 um).

Usage: make_morphology.py [OUT.swc]  (default: l5pc.swc beside this script)
"""
import math
import pathlib
import sys

SOMA, AXON, BASAL, APICAL = 1, 2, 3, 4


class Swc:
    def __init__(self):
        self.rows = []

    def add(self, kind, xyz, diam, parent):
        self.rows.append((len(self.rows) + 1, kind, *xyz, diam / 2.0, parent))
        return len(self.rows)

    def cable(self, kind, start_id, start, direction, length, d0, d1, pieces):
        """Samples every length/pieces um along `direction` from `start`; returns the last id and point."""
        ux, uy, uz = direction
        norm = math.sqrt(ux * ux + uy * uy + uz * uz)
        ux, uy, uz = ux / norm, uy / norm, uz / norm
        parent, point = start_id, start
        for k in range(1, pieces + 1):
            f = k / pieces
            point = (start[0] + ux * length * f, start[1] + uy * length * f, start[2] + uz * length * f)
            parent = self.add(kind, point, d0 + (d1 - d0) * f, parent)
        return parent, point

    def text(self):
        lines = ["# l5pc.swc: layer-5 pyramidal-like morphology written by examples/l5pc/make_morphology.py"]
        for i, kind, x, y, z, r, p in self.rows:
            lines.append(f"{i} {kind} {x:.4f} {y:.4f} {z:.4f} {r:.4f} {p}")
        return "\n".join(lines) + "\n"


def rotate(direction, angle_deg, axis="z"):
    x, y, z = direction
    a = math.radians(angle_deg)
    if axis == "z":
        return (x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a), z)
    return (x * math.cos(a) + z * math.sin(a), y, -x * math.sin(a) + z * math.cos(a))


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("l5pc.swc")
    s = Swc()
    r = 12.0
    soma = s.add(SOMA, (0, 0, 0), 2 * r, -1)
    s.add(SOMA, (0, -r, 0), 2 * r, soma)
    s.add(SOMA, (0, r, 0), 2 * r, soma)

    # Axon: down (-y).
    ais, p = s.cable(AXON, soma, (0, -r, 0), (0, -1, 0), 40, 1.5, 1.2, 4)
    s.cable(AXON, ais, p, (0, -1, 0), 400, 1.0, 1.0, 8)

    # Basal trees: around the soma, pointing down and out.
    for t in range(6):
        d = rotate((1, -0.6, 0), 60 * t, axis="y")
        start = (d[0] * r / 1.17, -0.3 * r, d[2] * r / 1.17)
        stem, p = s.cable(BASAL, soma, start, d, 40, 2.0, 1.6, 2)
        for side in (-1, 1):
            d1 = rotate(d, 25 * side, axis="z")
            b1, p1 = s.cable(BASAL, stem, p, d1, 80, 1.3, 1.1, 4)
            for side2 in (-1, 1):
                d2 = rotate(d1, 20 * side2, axis="y")
                s.cable(BASAL, b1, p1, d2, 140, 0.8, 0.6, 7)

    # Apical trunk: up (+y), obliques at the first 6 joints.
    parent, point = soma, (0, r, 0)
    for k in range(9):
        d0 = 5.0 - 3.0 * k / 9
        d1 = 5.0 - 3.0 * (k + 1) / 9
        parent, point = s.cable(APICAL, parent, point, (0, 1, 0), 100, d0, d1, 5)
        if k < 6:
            side = 1 if k % 2 == 0 else -1
            s.cable(APICAL, parent, point, (side, 0.6, 0.2 * side), 120, 0.9, 0.7, 6)
    # Tuft.
    tips = [(parent, point, (0, 1, 0))]
    for level, (length, diam) in enumerate(((150, 1.6), (150, 1.1), (200, 0.7))):
        grown = []
        for pid, pt, d in tips:
            for side in (-1, 1):
                nd = rotate(rotate(d, 30 * side, axis="z"), 45 * level, axis="y")
                nid, npt = s.cable(APICAL, pid, pt, nd, length, diam, diam * 0.85, length // 25)
                grown.append((nid, npt, nd))
        tips = grown
    out.write_text(s.text())
    print(f"wrote {out}: {len(s.rows)} samples")


if __name__ == "__main__":
    main()
