"""The autograd engine and nn at the edges, against torch: dtypes, deep graphs, a ** 0, backward's argument, bool."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close

from nonlinear import activations, nn
from nonlinear.autograd import Tensor, graph


def test_python_numbers_take_the_tensors_dtype_like_torch():
    t = Tensor(np.ones(2, np.float32), requires_grad=True)
    tt = torch.ones(2, dtype=torch.float32, requires_grad=True)
    ops = [lambda a: a * 2.0, lambda a: 2.0 - a, lambda a: a / 3, lambda a: 1.0 / (a + 1), lambda a: a**2.5]
    for op in ops:
        assert op(t).dtype == np.float32 and op(tt).dtype == torch.float32
    out = sum((op(t) for op in ops), Tensor(np.zeros(2, np.float32))).sum()
    out.backward()
    assert t.grad.dtype == np.float32


def test_float32_mlp_step_stays_float32_and_matches_torch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8)).astype(np.float32)
    y = rng.integers(0, 3, size=64)
    model = nn.MLP([8, 16, 16, 3], activation="gelu", seed=0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    torch_model = torch.nn.Sequential(
        *[
            layer
            for a, b in zip([8, 16, 16], [16, 16, 3])
            for layer in (torch.nn.Linear(a, b, dtype=torch.float32), torch.nn.GELU())
        ][:-1]
    )
    with torch.no_grad():
        for ours, theirs in zip(model.linears(), [m for m in torch_model if isinstance(m, torch.nn.Linear)]):
            theirs.weight.copy_(torch.from_numpy(ours.weight.data.T))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    opt, topt = nn.Adam(model.parameters(), lr=0.01), torch.optim.Adam(torch_model.parameters(), lr=0.01)
    for _ in range(5):
        loss = nn.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = torch.nn.functional.cross_entropy(torch_model(torch.from_numpy(X)), torch.from_numpy(y))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in model.parameters())
        assert abs(loss.item() - tloss.item()) <= 1e-5 * abs(tloss.item())
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    first = model.linears()[0].weight.data
    assert_close(
        first, torch_model[0].weight.detach().numpy().T, None, rtol=1e-4, atol=1e-5, what="weights after 5 steps"
    )


def test_mlp_and_linear_refuse_other_dtypes():
    with pytest.raises(TypeError, match="dtype must be float32 or float64, got float16"):
        nn.MLP([2, 2], dtype=np.float16)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        nn.Linear(2, 2, dtype=np.int64)


@pytest.mark.parametrize(("retain_graph", "steps"), [(True, 50_000), (False, 5_000)])
def test_a_chain_of_100000_operations_backpropagates(retain_graph, steps):
    x = Tensor(np.float64(1.0), requires_grad=True)
    y = x
    for _ in range(steps):
        y = (y * 1.0) + 0.0  # 2 * steps operations deep: 100,000 (Python's recursion stops near 1,000)
    y.backward(retain_graph=retain_graph)
    assert x.grad == 1.0
    if retain_graph:
        nodes, edges = graph(y)
        assert len(nodes) == 1 + 4 * steps and nodes[-1] is y  # x, and per step two constants and two results
        assert len(edges) == 4 * steps


def test_graph_order_is_the_recursive_depth_first_order():
    a, b = Tensor(2.0, requires_grad=True, label="a"), Tensor(3.0, requires_grad=True, label="b")
    c = a * b
    d = (c + a) * c
    nodes, edges = graph(d)
    names = {id(a): "a", id(b): "b", id(c): "c", id(d): "d"}
    order = [names.get(id(n), n.op) for n in nodes]
    assert order == ["a", "b", "c", "+", "d"]
    pairs = [(names.get(id(p), p.op), names.get(id(q), q.op)) for p, q in edges]
    assert pairs == [("a", "c"), ("b", "c"), ("c", "+"), ("a", "+"), ("+", "d"), ("c", "d")]


def test_power_zero_has_gradient_zero_at_zero_like_torch():
    x = np.array([0.0, 2.0, -1.5])
    t, tt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (t**0).sum().backward()
    (tt**0).sum().backward()
    assert np.array_equal(t.grad, tt.grad.numpy()) and np.array_equal(t.grad, [0.0, 0.0, 0.0])


def test_backward_on_a_non_scalar_needs_a_gradient_of_its_shape_like_torch():
    t = Tensor([0.0, 2.0], requires_grad=True)
    tt = torch.tensor([0.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (tt * 2).backward(torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"grad has shape \(\), this tensor has shape \(2,\)"):
        (t * 2).backward(1.0)
    with pytest.raises(ValueError, match="needs a scalar"):
        (t * 2).backward()
    (t * 2).backward(np.ones(2))
    assert t.grad.tolist() == [2.0, 2.0]


def test_bool_of_a_tensor_like_torch():
    for value in (1.0, 0.0, [2.0], [[0.0]]):
        assert bool(Tensor(value)) == bool(torch.tensor(value))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(torch.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_mean_of_nothing_is_nan_like_torch():
    t = Tensor(np.zeros((0, 3)), requires_grad=True)
    m = t.mean()
    assert np.isnan(m.item()) and torch.zeros(0, 3).mean().isnan()
    m.backward()
    assert t.grad.shape == (0, 3)
    by_column = Tensor(np.zeros((0, 3))).mean(dim=0).data
    assert by_column.shape == (3,) and np.isnan(by_column).all() and torch.zeros(0, 3).mean(dim=0).isnan().all()


def test_leaf_gradients_are_their_own_arrays():
    """No copy is made where the gradient is fresh, but two leaves never share one array."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    g = np.array([1.0, -1.0])
    (a + b).backward(g)
    assert a.grad is not b.grad and a.grad is not g
    a.grad *= 0
    assert b.grad.tolist() == [1.0, -1.0] and g.tolist() == [1.0, -1.0]


def test_a_freed_graph_says_so_on_a_second_backward_or_a_drawing():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()  # the default frees the graph, as torch's does
    assert w.grad.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="freed by an earlier backward\\(\\).*retain_graph=True"):
        loss.backward()
    with pytest.raises(RuntimeError, match="freed by its backward pass.*retain_graph=True"):
        graph(loss)
    kept = (w * w).sum()
    kept.backward(retain_graph=True)
    kept.backward()  # the graph was kept (chapter 3 draws it after the backward pass)
    assert w.grad.tolist() == [6.0, 12.0]
    assert len(graph((w * w).sum())[0]) == 3  # an unused graph can always be walked


def test_gradients_reused_in_place_never_reach_anyone_elses_array():
    """The engine lets an activation overwrite only gradients it made itself and handed to one node."""
    relu = activations.get("relu")
    x = Tensor(np.array([-1.0, 2.0, 3.0]), requires_grad=True)
    h = x * 1.0
    g = np.array([5.0, 6.0, 7.0])
    out = relu(h) + relu(h)  # '+' hands the same gradient to both branches
    out.backward(g)
    assert g.tolist() == [5.0, 6.0, 7.0]
    assert x.grad.tolist() == [0.0, 12.0, 14.0]
    y = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    z = relu(y) * 3.0
    z.sum().backward()
    w = relu(y)
    w.backward(np.ones(2))
    assert y.grad.tolist() == [4.0, 0.0]
