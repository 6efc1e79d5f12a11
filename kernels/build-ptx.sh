#!/usr/bin/env bash
# Regenerates the committed PTX from the CUDA sources. Run it after changing a .cu file and
# commit the result; KernelSourcesTest fails when the PTX is stale (with the same nvcc release).
# Target: compute_75 (Turing and newer), or what a source's first line names ("// target: compute_80"
# for tensor-core instructions); the PTX (ISA 9.0 with CUDA 13) needs a driver of r580+.
# tiny_net_epoch.cu is compiled once per network shape I-H-O into tiny_net_epoch/I_H_O.ptx
# (TinyNetPlan.java lists the same shapes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/src/main/resources/dev/downhill/kernels}"
mkdir -p "$out"
compile() { # source, output, extra nvcc flags...
    local cu="$1" ptx="$2"
    shift 2
    local target
    target="$(sed -n '1s|^// target: \(compute_[0-9]*\).*|\1|p' "$cu")"
    nvcc -ptx -arch="${target:-compute_75}" -I "$here/src/main/cuda" "$@" -o "$ptx" "$cu"
    ptxas -arch=sm_90 "$ptx" -o /dev/null
}
for cu in "$here"/src/main/cuda/*.cu; do
    name="$(basename "$cu" .cu)"
    [[ "$name" == tiny_net_epoch ]] && continue
    compile "$cu" "$out/$name.ptx"
done
mkdir -p "$out/tiny_net_epoch"
for i in 1 2 3 4; do
    pids=()
    for h in 1 2 3 4; do
        for o in 1 2; do
            compile "$here/src/main/cuda/tiny_net_epoch.cu" "$out/tiny_net_epoch/${i}_${h}_${o}.ptx" \
                -DTINY_I=$i -DTINY_H=$h -DTINY_O=$o &
            pids+=($!)
        done
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
done
