#!/usr/bin/env bash
# Trains the seed example on the GPU and on the CPU and compares their losses epoch by epoch,
# then trains the mnist workload on the GPU in fp32 and TF32. Logs under $OUT.
set -euo pipefail
. "$(dirname "$0")/env.sh"
downhill train --backend cuda --out "$OUT/seed-cuda" > "$OUT/seed-cuda.log" 2>&1
downhill train --backend cpu --out "$OUT/seed-cpu" > "$OUT/seed-cpu.log" 2>&1
losses() { grep -E "^epoch" "$1" | awk '{print $4}'; }
paste <(losses "$OUT/seed-cuda.log") <(losses "$OUT/seed-cpu.log") | awk '
    { d = $1 - $2; if (d < 0) d = -d; r = d / ($2 > 0 ? $2 : 1); if (r > worst) { worst = r; at = NR } }
    END { printf "seed example, %d epochs on cuda and cpu: largest relative loss difference %.2e (line %d)\n", NR, worst, at }'
grep -E "^(== |backend|final loss|throughput)" "$OUT/seed-cuda.log"
for math in fp32 tf32; do
    downhill train --workload mnist --backend cuda --math "$math" --epochs 5 --rows 60032 --out "$OUT/mnist-$math" \
        > "$OUT/mnist-$math.log" 2>&1
    echo "mnist $math: $(grep -E '^(final loss|throughput)' "$OUT/mnist-$math.log" | tr '\n' ' ')"
done
downhill train --workload tiny --backend cuda --epochs 3 --rows 100000 --out "$OUT/tiny" > "$OUT/tiny.log" 2>&1
echo "tiny (seed network, row by row, one launch per epoch): $(grep -E '^throughput' "$OUT/tiny.log")"
# Resume on the GPU: a run SIGKILLed mid-way and resumed must end with the same parameters, bit for bit.
resume_args=(train --workload mnist --backend cuda --rows 128000 --epochs 10 --checkpoint-every 1)
downhill "${resume_args[@]}" --out "$OUT/resume-straight" > "$OUT/resume-straight.log" 2>&1
downhill "${resume_args[@]}" --out "$OUT/resume-killed" > "$OUT/resume-killed.log" 2>&1 &
pid=$!
while ! grep -q "epoch  3/10" "$OUT/resume-killed.log" 2>/dev/null; do sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo "killed after: $(grep -E '^epoch' "$OUT/resume-killed.log" | tail -1)"
downhill train --resume "$OUT/resume-killed/checkpoints" >> "$OUT/resume-killed.log" 2>&1
python3 - "$OUT/resume-straight/model.safetensors" "$OUT/resume-killed/model.safetensors" <<'PY'
import struct, sys
def tensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    return data[8 + n:]
a, b = (tensors(p) for p in sys.argv[1:3])
print("cuda resume after SIGKILL: parameters", "bit-identical" if a == b else "DIFFER", f"({len(a)} bytes)")
PY
