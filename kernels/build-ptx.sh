#!/usr/bin/env bash
# Regenerates the committed PTX from the CUDA sources. Run it after changing a .cu file and
# commit the result; KernelSourcesTest fails when the PTX is stale (with the same nvcc release).
# Target: compute_75 (Turing and newer); the PTX (ISA 9.0 with CUDA 13) needs a driver of r580+.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/src/main/resources/dev/downhill/kernels}"
mkdir -p "$out"
for cu in "$here"/src/main/cuda/*.cu; do
    name="$(basename "$cu" .cu)"
    nvcc -ptx -arch=compute_75 -I "$here/src/main/cuda" -o "$out/$name.ptx" "$cu"
    ptxas -arch=sm_90 "$out/$name.ptx" -o /dev/null
done
