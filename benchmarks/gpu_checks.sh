#!/usr/bin/env bash
# The GPU checks of issue 15 in one run, for a machine with an NVIDIA GPU (about 6 minutes):
# the `gpu` tests (every op against the CPU and PyTorch on CUDA, models on CuPy), the GPU
# benchmark and the cpu-vs-gpu lab. Logs go to ${OUT:-/tmp}/gpu-*.log.
#
#   bash benchmarks/gpu_checks.sh            # from the repository root; needs CuPy installed there
#
# CuPy must already be importable (pip install "glassnet[gpu]", or "cupy-cuda12x[ctk]" without a
# local CUDA Toolkit); the script says so and stops when it is not.
set -u -o pipefail
out=${OUT:-/tmp}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python -c "import glassnet as gn, sys; r = gn.backend.gpu_unavailable_reason(); print('glassnet devices:', gn.backend.devices()); sys.exit(r and 'no GPU for glassnet: ' + r)" || exit 1
python -c "import cupy, torch; print('cupy', cupy.__version__, '| torch', torch.__version__, 'cuda', torch.cuda.is_available())"
timeout 240 python -m pytest -q -m gpu -p no:cacheprovider tests/test_devices.py 2>&1 | tee "$out/gpu-tests.log" | tail -25
timeout 200 python -m benchmarks.gpu --rounds 3 --steps 30 2>&1 | tee "$out/gpu-bench.log" | grep -v "^round"
GLASSNET_DATA=${GLASSNET_DATA:-shared/data} timeout 120 glassnet labs run cpu-vs-gpu --set timed_steps=20 2>&1 | tee "$out/gpu-lab.log" | tail -12
