"""Chapter 7, "add the activation after every weight layer", for an LSTM: the same network with and without a ReLU after it.

Registered with :func:`nonlinear.study.experiment` and listed in
:data:`nonlinear.study.store.CHAPTER_MODULES`, so ``make results`` runs it; a
module of its own, so that adding it changed no other experiment's fingerprint.

``ch7-relu-after-lstm`` classifies MNIST-1D's 40-sample signals, read one
sample per time step by an LSTM (:data:`HIDDEN` units; the package has no
recurrent layers, so this is torch, one thread, seeded; float32, which runs six times
faster than float64 here). A linear layer reads the last
hidden state :math:`h_T = o_T \\odot \\tanh(c_T)`, which lies in (-1, 1). Two
arms per seed, from the same initial weights and with the same batch order:

- ``none``: logits = W h_T + b, the LSTM's own tanh the only nonlinearity;
- ``relu``: logits = W relu(h_T) + b, the activation layer the advice adds.

Each run records its test accuracy and loss, the training loss per epoch, and
the share of the test set's last hidden values that are negative (what the ReLU
would zero) at the end.
"""

from __future__ import annotations

import numpy as np

from nonlinear import data
from nonlinear.study.store import experiment

HIDDEN = 32
EPOCHS = 30
BATCH = 100
LR = 3e-3  # Adam
ARMS = ("none", "relu")
SEEDS = range(40)


def task() -> data.Dataset:
    """The package's reference MNIST-1D (4,000 training and 1,000 test signals of 40 samples)."""
    return data.mnist1d()


def train(arm: str, seed: int, d: data.Dataset | None = None, epochs: int = EPOCHS) -> dict:
    """Train one arm from the seed's initial weights and batch order; return its metrics."""
    import torch

    if arm not in ARMS:
        raise ValueError(f"arm must be one of {ARMS}, got {arm!r}")
    d = task() if d is None else d
    x, y = torch.from_numpy(d.X_train[:, :, None]).float(), torch.from_numpy(d.y_train)
    x_test, y_test = torch.from_numpy(d.X_test[:, :, None]).float(), torch.from_numpy(d.y_test)
    torch.manual_seed(seed)  # the same initial weights in both arms: the ReLU has none
    lstm = torch.nn.LSTM(1, HIDDEN, batch_first=True, dtype=torch.float32)
    readout = torch.nn.Linear(HIDDEN, d.n_classes, dtype=torch.float32)
    params = [*lstm.parameters(), *readout.parameters()]
    optimiser = torch.optim.Adam(params, lr=LR)

    def last_hidden(inputs):
        return lstm(inputs)[0][:, -1]

    def logits(inputs):
        h = last_hidden(inputs)
        return readout(torch.relu(h) if arm == "relu" else h)

    order = torch.Generator().manual_seed(10_000 + seed)  # the same batches in both arms
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(x), generator=order).split(BATCH):
            loss = torch.nn.functional.cross_entropy(logits(x[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
    with torch.no_grad():
        out, h = logits(x_test), last_hidden(x_test)
        return {
            "test_accuracy": (out.argmax(dim=1) == y_test).double().mean().item(),
            "test_loss": torch.nn.functional.cross_entropy(out, y_test).item(),
            "loss_curve": np.array(losses),
            "negative_share": (h < 0).double().mean().item(),
        }


@experiment(
    "ch7-relu-after-lstm",
    configs=[{"arm": arm} for arm in ARMS],
    seeds=SEEDS,
    description=f"MNIST-1D read by an LSTM ({HIDDEN} units, torch float32) and a linear layer, with and without a "
    f"ReLU between; Adam {LR}, batch {BATCH}, {EPOCHS} epochs; the same initial weights and batches per seed",
)
def relu_after_lstm(config, seed):
    return train(config["arm"], seed)
