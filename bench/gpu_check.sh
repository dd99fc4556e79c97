#!/usr/bin/env bash
# Row 1 on a GPU, plus the check that training steps never wait on the GPU (see bench/gpu_check.py).
# Usage, from anywhere: bash bench/gpu_check.sh [--quick]   Exits 0 with a message when CUDA is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
exec timeout 170 python -m bench.gpu_check "$@"
