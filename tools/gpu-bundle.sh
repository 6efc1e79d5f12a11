#!/usr/bin/env bash
# Builds build/gpu-bundle: everything the GPU machine needs to run Downhill, which has no Java
# there: a jlink'd Java 25 runtime (as .tar.xz), the command-line jar, the test jars and JUnit's
# console launcher (jdk.zipfs lets it scan jars), and the scripts that run on that machine (tools/gpu/). Carry build/gpu-bundle
# (under 64 MiB) and run build/gpu-bundle/run-gpu-tests.sh or train-gpu.sh there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bin/lib/find-java.sh"
java_bin="$(find_java)"
jdk="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
out="$root/build/gpu-bundle"
junit_console=1.14.1

mvn -q -B -f "$root/pom.xml" -DskipTests install
rm -rf "$out" && mkdir -p "$out/lib" "$out/tests"
cp "$root/cli/target/downhill.jar" "$out/lib/"
cp "$root/engine-api/target/engine-api-"*-tests.jar "$out/tests/engine-api-tests.jar"
cp "$root/engine-cuda/target/engine-cuda-"*-tests.jar "$out/tests/engine-cuda-tests.jar"
mvn -q -B -f "$root/pom.xml" -N dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_console" \
    -DoutputDirectory="$out/lib" -Dmdep.stripVersion=true

# Uncompressed modules, then xz over the whole runtime: smaller than jlink's own zip compression.
stage="$(mktemp -d)"
"$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,java.desktop,jdk.unsupported,jdk.management,jdk.zipfs,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --output "$stage/jre"
tar -C "$stage" -cJf "$out/jre.tar.xz" jre
rm -rf "$stage"
cp "$root/tools/gpu/"*.sh "$out/"
# PyTorch's numbers are measured in the same run as ours: the anchor script travels with the bundle
anchors="$root/../shared/anchors"
[ -d "$anchors" ] && mkdir -p "$out/anchors" && cp "$anchors/"*.py "$out/anchors/"
chmod +x "$out/"*.sh
du -sh "$out"
