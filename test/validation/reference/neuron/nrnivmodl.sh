#!/usr/bin/env bash
# Compiles .mod files for NEURON 8.2 (Debian neuron-dev) into DIR/x86_64/libnrnmech.so,
# to be loaded with h.nrn_load_dll(). Usage: nrnivmodl.sh DIR
#
# Debian's nrnivmodl looks for nrnmech_makefile and libnrniv.so under its prefix
# (/usr/bin, /usr/lib), but the package puts them in /usr/lib/nrn. This builds a
# throwaway prefix of symlinks (bin/ with the makefile and NEURON's tools, lib/ ->
# /usr/lib/nrn, include/ and share/ -> /usr's) and points NRNHOME at it. The
# `special` executable then fails to link (a header missing from the package);
# the mechanism library, which is all the reference scripts load, is built first.
set -euo pipefail
dir=$(cd "${1:?usage: nrnivmodl.sh DIR}" && pwd)
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir "$home/bin"
ln -s /usr/lib/nrn/nrnmech_makefile /usr/lib/nrn/mkthreadsafe "$home/bin/"
for tool in nocmodl modlunit nrniv; do ln -s "/usr/bin/$tool" "$home/bin/"; done
ln -s /usr/lib/nrn "$home/lib"
ln -s /usr/include "$home/include"
ln -s /usr/share "$home/share"
cd "$dir"
rm -rf x86_64
NRNHOME="$home" nrnivmodl >nrnivmodl.log 2>&1 || true
if [ ! -f x86_64/libnrnmech.so ]; then
    cat nrnivmodl.log >&2
    echo "nrnivmodl.sh: no x86_64/libnrnmech.so in $dir (log above)" >&2
    exit 1
fi
echo "$dir/x86_64/libnrnmech.so"
