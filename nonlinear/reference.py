"""PyTorch counterparts of the package, used to check it and to compare with it (never to compute it).

``torch_function(name, **params)`` returns the ``torch`` function that
matches ``activations.get(name, **params)``, or None where PyTorch has no
such function (swish with beta != 1, noisy_relu, maxout, leaky_relu6, rrelu in training mode).
``torch_mlp(model)`` builds a ``torch.nn.Sequential`` with the same weights as
a :class:`nonlinear.nn.MLP` (without batch norm), in float64.
"""

from __future__ import annotations

import numpy as np


def torch_function(name: str, **params):
    """The torch.nn.functional equivalent of an activation (a function of one tensor), or None."""
    import torch
    import torch.nn.functional as F

    from nonlinear import activations

    p = activations.get(name, **params).params
    table = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, p["negative_slope"]),
        "relu6": F.relu6,
        "elu": lambda t: F.elu(t, p["alpha"]),
        "selu": F.selu,
        "celu": lambda t: F.celu(t, p["alpha"]),
        "gelu": lambda t: F.gelu(t, approximate=p["approximate"]),
        "silu": F.silu,
        "hardswish": F.hardswish,
        "hardsigmoid": F.hardsigmoid,
        "hardtanh": lambda t: F.hardtanh(t, p["min_val"], p["max_val"]),
        "mish": F.mish,
        "softplus": lambda t: F.softplus(t, p["beta"], p["threshold"]),
        "softsign": F.softsign,
        "logsigmoid": F.logsigmoid,
        "prelu": lambda t: F.prelu(t, torch.as_tensor(np.atleast_1d(p["weight"]), dtype=t.dtype)),
        "rrelu": (lambda t: F.rrelu(t, p["lower"], p["upper"], training=False)) if not p.get("training") else None,
        "softmax": lambda t: F.softmax(t, dim=p["dim"]),
        "log_softmax": lambda t: F.log_softmax(t, dim=p["dim"]),
        "logsumexp": lambda t: torch.logsumexp(t, dim=p["dim"], keepdim=p["keepdim"]),
        "glu": lambda t: F.glu(t, dim=p["dim"]),
        "swish": F.silu if p.get("beta") == 1.0 else None,
    }
    return table.get(name)


def torch_mlp(model):
    """A float64 ``torch.nn.Sequential`` with the weights of ``model`` (Linear and activation layers)."""
    import torch

    from nonlinear import nn

    layers = []
    for layer in model.layers:
        if isinstance(layer, nn.Linear):
            linear = torch.nn.Linear(*layer.weight.shape, bias=layer.bias is not None, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.as_tensor(layer.weight.data.T))
                if layer.bias is not None:
                    linear.bias.copy_(torch.as_tensor(layer.bias.data))
            layers.append(linear)
        elif isinstance(layer, nn.Act):
            fn = torch_function(layer.activation.name, **{k: v for k, v in layer.activation.params.items()})
            if fn is None:
                raise ValueError(f"{layer.activation.name} has no PyTorch counterpart")
            layers.append(_Lambda(fn))
        elif isinstance(layer, nn.PReLU):
            prelu = torch.nn.PReLU(layer.weight.data.size, dtype=torch.float64)
            with torch.no_grad():
                prelu.weight.copy_(torch.as_tensor(layer.weight.data))
            layers.append(prelu)
        else:
            raise ValueError(f"torch_mlp does not convert {type(layer).__name__}")
    return torch.nn.Sequential(*layers)


def _lambda_module():
    import torch

    class Lambda(torch.nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, x):
            return self.fn(x)

    return Lambda


def _Lambda(fn):
    return _lambda_module()(fn)
