#!/usr/bin/env bash
# Downhill's CPU backend beside its two CPU peers, in one run on this machine: PyTorch's CPU build
# (tools/pytorch/torch_cpu_bench.py, where python3 can import torch: pip install "torch==2.13.0+cpu")
# first, then Deeplearning4j (ND4J on OpenBLAS; tools/dl4j downloads its native libraries, ~150 MB,
# on first use) and Downhill one after the other in one JVM, which prints one table with both ratios,
# after the processor's measured FMA peak. Arguments go to the JVM side: workload names,
# --warmups N, --repeats N. Every peer gets one thread per core; OpenBLAS and ND4J wait passively,
# as the peer figures in WORKLOADS.md were measured.
#
# HOLD_TO_AVX2=1 holds all three to AVX2 on an AVX-512 machine (the JVM's -XX:UseAVX=2, PyTorch's
# ATEN_CPU_CAPABILITY and ONEDNN_MAX_CPU_ISA, ND4J's AVX2 build): the instruction set of an
# AVX2-only processor, though not its cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bin/lib/find-java.sh"
java_bin="$(find_java)"
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"

# libnd4j's build for this processor: its AVX-512 build dies with SIGILL where there is only AVX2
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2-) "
if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* ]]; then
    nd4j_build=linux-x86_64-avx512
elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then
    nd4j_build=linux-x86_64-avx2
else
    nd4j_build=linux-x86_64
fi
jvm_isa=()
if [ "${HOLD_TO_AVX2:-}" = 1 ]; then
    nd4j_build=linux-x86_64-avx2
    jvm_isa=(-XX:UseAVX=2)
    export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2
    echo "held to AVX2"
fi

mvn -q -B -f "$root/pom.xml" -DskipTests install >&2
rm -rf "$root/tools/dl4j/target/lib"          # a build for another processor must not stay beside this one
mvn -q -B -f "$root/tools/dl4j/pom.xml" -Dnd4j.classifier="$nd4j_build" package >&2
cores="$(nproc)"
export OMP_NUM_THREADS="$cores" OMP_WAIT_POLICY=PASSIVE
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD), $cores cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
echo "ND4J build used: nd4j-native:$nd4j_build"

torch_figures="$(mktemp)"
trap 'rm -f "$torch_figures"' EXIT
if python3 -c 'import torch' 2>/dev/null; then
    echo "PyTorch: $(python3 -c 'import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())')"
    python3 "$root/tools/pytorch/torch_cpu_bench.py" > "$torch_figures"
else
    echo "PyTorch: not installed here (pip install \"torch==2.13.0+cpu\"); its column stays empty"
fi
"$java_bin" "${jvm_isa[@]}" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Djava.awt.headless=true \
    -cp "$root/tools/dl4j/target/classes:$root/tools/dl4j/target/lib/*" dev.downhill.anchor.CpuPeerBench --pytorch "$torch_figures" "$@"

# PyTorch once more, after the others: on a shared machine whose speed drifts, a ratio is only as
# good as the two sides' conditions, and the two PyTorch figures show how far they moved meanwhile
if [ -s "$torch_figures" ]; then
    python3 "$root/tools/pytorch/torch_cpu_bench.py" > "$torch_figures.after"
    python3 - "$torch_figures" "$torch_figures.after" <<'PY'
import json, sys
before, after = ({r["workload"]: r["samples_per_s"] for r in map(json.loads, open(f))} for f in sys.argv[1:3])
print("PyTorch again, after Downhill and DL4J (samples/s; before, as in the table, in brackets): "
      + ", ".join(f"{w} {after[w]:,} ({before[w]:,})" for w in after if w in before))
PY
    rm -f "$torch_figures.after"
fi
