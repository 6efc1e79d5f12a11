#!/usr/bin/env bash
# Puts NCCL's libnccl.so.2 (from NVIDIA's nvidia-nccl-cu13 wheel) where engine-cuda's NcclTest
# looks for it, ~/.cache/downhill/nccl/, so that the binding's symbols are checked on a machine
# without a GPU or an NCCL install. The GPU machine may have its own (inside PyTorch's packages).
set -euo pipefail
dest="${XDG_CACHE_HOME:-$HOME/.cache}/downhill/nccl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip download nvidia-nccl-cu13 --no-deps -d "$work" >&2
unzip -q -o "$work"/nvidia_nccl_cu13-*.whl 'nvidia/nccl/lib/libnccl.so.2' -d "$work"
mkdir -p "$dest"
cp "$work/nvidia/nccl/lib/libnccl.so.2" "$dest/"
echo "$dest/libnccl.so.2"
