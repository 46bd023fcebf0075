"""Benchmark on a GPU: one training step of the CPU table's workloads (MLP, CNN, LSTM), glassnet
on CuPy against PyTorch on CUDA, side by side (same harness: separate processes, interleaved
rounds, median ratio).

    python -m benchmarks.gpu                        # every workload, 7 rounds
    python -m benchmarks.gpu --workload cnn --batch 256 --rounds 5

Both sides keep the batch on the GPU (uploaded once, as a data loader with prefetch would) and
read the loss back to the host every step (``train_on_batch`` returns a float; PyTorch's step
calls ``loss.item()``), so every timed step ends with the GPU's work finished.

On a machine without an NVIDIA GPU, CuPy (``pip install "glassnet[gpu]"``) or PyTorch with CUDA,
the script says which is missing and exits with status 1 before timing anything.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from benchmarks import cnn, lstm, mlp
from benchmarks.harness import compare, time_steps, torch_sgd_step

WORKLOADS = {  # name -> default batch, as in the CPU benchmarks
    "mlp": 128,
    "cnn": 64,
    "lstm": 64,
}
LSTM_UNITS = 128


def _data(workload, batch):
    if workload == "mlp":
        return mlp._data(batch)
    if workload == "cnn":
        return cnn._data(batch)
    return lstm._data(batch)


def glassnet_model(workload, lr=0.01):
    """The CPU benchmark's glassnet model of ``workload``, built on the current device."""
    import glassnet as gn
    from glassnet import layers
    if workload == "mlp":
        sizes = mlp.SIZES
        model = gn.Sequential([layers.Input((sizes[0],)), layers.Dense(sizes[1], activation="relu"),
                               layers.Dense(sizes[2], activation="relu"),
                               layers.Dense(sizes[3], activation="softmax")])
        model.compile(optimizer=gn.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
        return model
    if workload == "cnn":
        return cnn.glassnet_model(lr)
    return lstm.glassnet_model(LSTM_UNITS, lr)


def glassnet_gpu_step(workload, batch, lr=0.01):
    """A closure running one glassnet training step on the GPU (data already there)."""
    from glassnet import backend
    backend.set_device("gpu")
    model = glassnet_model(workload, lr)
    x, y = (backend.to_device(a) for a in _data(workload, batch))
    return lambda: model.train_on_batch(x, y)


def torch_model(workload):
    """The CPU benchmark's PyTorch model of ``workload`` (channels-first for the CNN)."""
    import torch
    nn = torch.nn
    if workload == "mlp":
        s = mlp.SIZES
        return nn.Sequential(nn.Linear(s[0], s[1]), nn.ReLU(), nn.Linear(s[1], s[2]), nn.ReLU(),
                             nn.Linear(s[2], s[3]))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64 * 7 * 7, 10))

    class Forecaster(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTM(lstm.FEATURES, LSTM_UNITS, batch_first=True)
            self.lstm2 = nn.LSTM(LSTM_UNITS, LSTM_UNITS, batch_first=True)
            self.head = nn.Linear(LSTM_UNITS, 1)

        def forward(self, x):
            sequence, _ = self.lstm1(x)
            sequence, _ = self.lstm2(sequence)
            return self.head(sequence[:, -1])
    return Forecaster()


def torch_cuda_step(workload, batch, lr=0.01):
    """A closure running one PyTorch training step on CUDA (data already there)."""
    import torch
    model = torch_model(workload).cuda()
    x, y = _data(workload, batch)
    if workload == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    x, y = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()
    loss_fn = torch.nn.functional.mse_loss if workload == "lstm" else torch.nn.functional.cross_entropy
    return torch_sgd_step(model, x, y, lr, loss_fn)


CONTENDERS = {"pytorch-cuda": torch_cuda_step, "glassnet-gpu": glassnet_gpu_step}


def missing_gpu() -> str | None:
    """What keeps this benchmark from running here, or None when glassnet and PyTorch both
    have a CUDA GPU."""
    from glassnet import backend
    reason = backend.gpu_unavailable_reason()
    if reason is not None:
        return reason
    try:
        import torch
    except ImportError:
        return "PyTorch is not installed (pip install torch, a CUDA build)"
    if not torch.cuda.is_available():
        return f"PyTorch {torch.__version__} sees no CUDA device (a CPU-only build, or no driver)"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=list(WORKLOADS), action="append",
                        help="workloads to time (default: all); repeat for several")
    parser.add_argument("--batch", type=int, help="samples per step (default: the CPU benchmark's)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args(argv)
    if ns.worker:
        a = json.loads(ns.args)
        step = CONTENDERS[ns.worker](a["workload"], a["batch"])
        print(time_steps(step, warmup=10, steps=a["steps"]))
        return
    reason = missing_gpu()
    if reason is not None:
        sys.exit(f"benchmarks.gpu: no GPU benchmark on this machine: {reason}")
    import torch
    print(f"GPU: {torch.cuda.get_device_name(0)}; PyTorch {torch.__version__}")
    for workload in ns.workload or list(WORKLOADS):
        batch = ns.batch or WORKLOADS[workload]
        compare("benchmarks.gpu", list(CONTENDERS), {"workload": workload, "batch": batch, "steps": ns.steps},
                ns.rounds, f"{workload.upper()} training step on the GPU, batch {batch}, SGD")


if __name__ == "__main__":
    main()
