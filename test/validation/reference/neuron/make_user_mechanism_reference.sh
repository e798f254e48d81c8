#!/usr/bin/env bash
# Compiles test/data/nmodl/user/*.mod with NEURON's nrnivmodl and writes
# the reference of user_mechanism.py into user_mechanism/ (a few seconds).
# Debian's nrnivmodl runs `make -f $NRNHOME/bin/nrnmech_makefile` and links
# $NRNHOME/lib/libnrniv.so; Debian keeps both in /usr/lib/nrn, so a small
# NRNHOME of links points it there.
# Usage: test/validation/reference/neuron/make_user_mechanism_reference.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../../../.." && pwd)"
out="${1:-$here/user_mechanism}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/mod"
for tool in nocmodl nrniv modlunit; do ln -s "/usr/bin/$tool" "$work/root/bin/$tool"; done
ln -s /usr/lib/nrn/nrnmech_makefile "$work/root/bin/nrnmech_makefile"
ln -s /usr/lib/nrn "$work/root/lib"
ln -s /usr/include "$work/root/include"
ln -s /usr/share "$work/root/share"
cp "$source_dir"/test/data/nmodl/user/*.mod "$work/mod/"
cd "$work"
# nrnivmodl builds x86_64/libnrnmech.so, then fails to link its `special`
# executable (Debian's headers lack ivstream.h); the library is all we need.
(cd "$work" && NRNHOME="$work/root" nrnivmodl mod > nrnivmodl.log 2>&1) || true
lib="$work/x86_64/libnrnmech.so"
[ -f "$lib" ] || { cat "$work/nrnivmodl.log"; echo "nrnivmodl did not build $lib"; exit 1; }
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
nrniv -nobanner -dll "$lib" -python "$here/user_mechanism.py" "$out" </dev/null \
    2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
