#!/usr/bin/env bash
# Measures training throughput on this machine: downhill bench on the GPU and on the CPU, then
# PyTorch's anchor script (if the bundle carries it) in the same run. Logs and JSON under $OUT.
set -uo pipefail
. "$(dirname "$0")/env.sh"
date -u +"%Y-%m-%d %H:%M UTC" > "$OUT/bench-date.txt"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > "$OUT/bench-gpu.txt" 2>&1
downhill bench --backend cuda --json "$OUT/bench-cuda.json" "$@" > "$OUT/bench-cuda.txt" 2>&1
cat "$OUT/bench-cuda.txt"
downhill bench --backend cpu --warmups 1 --repeats 3 --json "$OUT/bench-cpu.json" "$@" > "$OUT/bench-cpu.txt" 2>&1
cat "$OUT/bench-cpu.txt"
if [ -f "$here/anchors/torch_mlp_bench.py" ]; then
    python3 "$here/anchors/torch_mlp_bench.py" > "$OUT/torch.jsonl" 2>&1
    grep '"mode": "graph"' "$OUT/torch.jsonl"
    tail -1 "$OUT/torch.jsonl"
fi
