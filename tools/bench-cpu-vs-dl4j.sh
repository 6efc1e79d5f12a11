#!/usr/bin/env bash
# Downhill's CPU backend beside Deeplearning4j (ND4J on OpenBLAS), one run on this machine:
# builds Downhill, then the peer (tools/dl4j, which downloads DL4J's native libraries, ~150 MB,
# on first use), and prints one table with the ratios. Arguments go to the peer: workload names,
# --warmups N, --repeats N. OpenBLAS and ND4J get one thread per core, waiting passively, as the
# peer figures in WORKLOADS.md were measured.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bin/lib/find-java.sh"
java_bin="$(find_java)"
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"

mvn -q -B -f "$root/pom.xml" -DskipTests install >&2
mvn -q -B -f "$root/tools/dl4j/pom.xml" package >&2
cores="$(nproc)"
export OMP_NUM_THREADS="$cores" OMP_WAIT_POLICY=PASSIVE
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD), $cores cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
exec "$java_bin" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Djava.awt.headless=true \
    -cp "$root/tools/dl4j/target/classes:$root/tools/dl4j/target/lib/*" dev.downhill.anchor.CpuPeerBench "$@"
