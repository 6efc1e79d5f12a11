#!/usr/bin/env bash
# Where a step's time goes on this machine: each workload's benchmark under Nsight Systems (when
# the machine has nsys), summed per kernel. Reports under $OUT/profile-<workload>.*
set -uo pipefail
. "$(dirname "$0")/env.sh"
nsys="$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems/*/bin/nsys 2>/dev/null | head -1)"
if [ -z "$nsys" ]; then
    echo "no nsys on this machine: nothing profiled"
    exit 0
fi
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(mnist tcnn)
for workload in "${workloads[@]}"; do
    for math in fp32 tf32; do
        report="$OUT/profile-$workload-$math"
        "$nsys" profile --trace=cuda --force-overwrite=true -o "$report" \
            "$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -jar "$here/lib/downhill.jar" \
            bench --backend cuda --workload "$workload" --math "$math" --warmups 1 --repeats 1 > "$report.log" 2>&1
        "$nsys" stats --report cuda_gpu_kern_sum --format csv --output "$report" "$report.nsys-rep" > /dev/null 2>&1
        echo "== $workload $math: kernels by total time (time %, total ns, instances, avg ns, name)"
        find "$OUT" -name "profile-$workload-$math*kern_sum*.csv" -exec cat {} \; | cut -d, -f1-4,9 | head -25
    done
done
