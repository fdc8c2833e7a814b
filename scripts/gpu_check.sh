#!/usr/bin/env bash
# The GPU checks in one go, for a machine with an NVIDIA GPU: the consistency
# check and a small benchmark on CUDA. Run from the repository root:
#
#     bash scripts/gpu_check.sh
#
# It uses the project's .venv (made by dev.py). torch must be a CUDA build there
# (requirements.txt pins 2.13.0; where PyPI's default is the CUDA build, that is
# what a plain install brings); JAX runs on the GPU only with its CUDA plugin,
# which this script installs into the .venv if `jax.devices("gpu")` finds none.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 dev.py triptych --help >/dev/null  # make .venv and install, if needed
py=.venv/bin/python
$py - <<'PY'
import torch
print("torch", torch.__version__, "CUDA available:", torch.cuda.is_available())
if torch.cuda.is_available():
    print("device:", torch.cuda.get_device_name(0))
PY
backends=torch
if ! $py -c 'import jax; jax.devices("gpu")' 2>/dev/null; then
  $py -m pip install -q "jax[cuda12]==$($py -c 'import jax; print(jax.__version__)')" || true
fi
if $py -c 'import jax; jax.devices("gpu")' 2>/dev/null; then backends=torch,jax; fi
echo "== triptych check on cuda ($backends; numpy stays on the CPU)"
# torch takes "cuda"; JAX takes the platform name "gpu", and accepts "cuda" too
.venv/bin/triptych check --device cuda --backends "numpy,$backends" --csv gpu_check.csv
echo "== triptych bench on cuda (small grid)"
.venv/bin/triptych bench --device cuda --backends "$backends" \
  --sizes 256-256-10,1024-1024-10 --batches 256,1024 --repeats 1 --csv gpu_bench.csv
