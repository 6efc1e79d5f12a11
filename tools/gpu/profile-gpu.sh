#!/usr/bin/env bash
# Where the time goes on this machine, with Nsight Compute (ncu; the machine has no nsys):
#  - every kernel of a few training steps of each workload given (default mnist tcnn), fp32
#    and TF32, timed one by one: the step's kernels with their durations;
#  - the tiny workload's epoch kernel: warp stall reasons per SASS instruction.
# Reports under $OUT/profile-*.
set -uo pipefail
. "$(dirname "$0")/env.sh"
ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
jvm=("$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -jar "$here/lib/downhill.jar")
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(mnist tcnn)
for workload in "${workloads[@]}"; do
    for math in fp32 tf32; do
        report="$OUT/profile-$workload-$math.csv"
        # skip the first launches (probe, capture, warm-up); then ~2 steps, each kernel timed alone
        "$ncu" --target-processes all --graph-profiling node --launch-skip 400 --launch-count 44 \
            --metrics gpu__time_duration.sum --csv \
            "${jvm[@]}" bench --backend cuda --workload "$workload" --math "$math" --warmups 1 --repeats 1 \
            > "$report" 2> "$OUT/profile-$workload-$math.log"
        echo "== $workload $math: kernel, duration (ns)"
        grep gpu__time_duration "$report" | awk -F'","' '{ printf "%-110.110s %s\n", $5, $NF }' | tr -d '"' | head -44
    done
done
"$ncu" --target-processes all -k regex:tiny_net_epoch --launch-skip 3 --launch-count 1 \
    --section WarpStateStats --section SourceCounters --section LaunchStats --print-details all \
    "${jvm[@]}" bench --backend cuda --workload tiny --math fp32 --warmups 1 --repeats 1 \
    > "$OUT/profile-tiny.txt" 2>&1
grep -iE "stall|warp cycles|issued|duration|elapsed" "$OUT/profile-tiny.txt" | head -40
