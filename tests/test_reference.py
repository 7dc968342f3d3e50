"""reference: the torch counterpart of each activation (or None), and the same MLP in torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nonlinear import activations, nn, reference

WITHOUT_COUNTERPART = {"leaky_relu6", "maxout", "noisy_relu"}


@pytest.mark.parametrize("name", activations.names())
def test_every_activation_has_a_counterpart_or_none_by_design(name):
    fn = reference.torch_function(name)
    if name in WITHOUT_COUNTERPART:
        assert fn is None
    else:
        assert callable(fn), f"{name} should have a torch counterpart"
        x = torch.linspace(-3, 3, 8, dtype=torch.float64).reshape(2, 4)
        np.testing.assert_allclose(fn(x).numpy(), activations.get(name)(x.numpy()), rtol=1e-12, atol=1e-15)


def test_no_counterpart_for_parameters_torch_lacks():
    assert reference.torch_function("swish", beta=2.0) is None
    assert reference.torch_function("swish") is torch.nn.functional.silu
    assert reference.torch_function("rrelu", training=True) is None
    assert reference.torch_function("rrelu") is not None


def test_torch_function_validates_like_get():
    with pytest.raises(ValueError, match="unknown activation"):
        reference.torch_function("nope")
    with pytest.raises(ValueError, match="beta must be > 0"):
        reference.torch_function("softplus", beta=-1.0)


@pytest.mark.parametrize("activation", ["relu", "tanh", "prelu", "gelu"])
def test_torch_mlp_computes_the_same_function(activation):
    model = nn.MLP([3, 5, 4, 2], activation=activation, seed=0)
    X = np.random.default_rng(0).normal(size=(6, 3))
    torch_model = reference.torch_mlp(model)
    assert all(p.dtype == torch.float64 for p in torch_model.parameters())
    assert sum(p.numel() for p in torch_model.parameters()) == sum(p.data.size for p in model.parameters())
    np.testing.assert_allclose(torch_model(torch.as_tensor(X)).detach().numpy(), model(X).data, rtol=1e-13)


def test_torch_mlp_refuses_what_it_cannot_convert():
    with pytest.raises(ValueError, match="noisy_relu has no PyTorch counterpart"):
        reference.torch_mlp(nn.MLP([2, 3, 1], activation="noisy_relu"))
    with pytest.raises(ValueError, match="does not convert BatchNorm1d"):
        reference.torch_mlp(nn.MLP([2, 3, 1], batchnorm="before"))
