#!/usr/bin/env bash
# Runs the CUDA backend's tests (contract, cross-checks against the CPU reference, device
# memory) on this machine; full log and JUnit XML under $OUT.
set -uo pipefail
. "$(dirname "$0")/env.sh"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
downhill devices | tee "$OUT/devices.txt"
# NCCL for NcclTest and DeviceGradientTest: the machine's PyTorch carries libnccl.so.2
if [ -z "${DOWNHILL_NCCL:-}" ]; then
    DOWNHILL_NCCL="$(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib", "libnccl.so.2"))' 2>/dev/null || true)"
    [ -f "$DOWNHILL_NCCL" ] && export DOWNHILL_NCCL || unset DOWNHILL_NCCL
fi
echo "NCCL: ${DOWNHILL_NCCL:-not found}" | tee "$OUT/nccl.txt"
"$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -jar "$here/lib/junit-platform-console-standalone.jar" execute \
    --class-path "$here/lib/downhill.jar:$here/tests/engine-api-tests.jar:$here/tests/engine-cuda-tests.jar" \
    --select-package dev.downhill.cuda \
    --details tree --disable-banner --reports-dir "$OUT/junit" "$@" > "$OUT/gpu-tests.log" 2>&1
rc=$?
grep -E "^\s*(│\s*)*[├└]─ .*(✘|↷)" "$OUT/gpu-tests.log" | head -40
tail -n 16 "$OUT/gpu-tests.log"
exit $rc
