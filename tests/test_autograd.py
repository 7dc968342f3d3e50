"""The reverse-mode engine: each primitive's gradient against torch.autograd and central differences.

The same lambda runs on an ``autograd.Tensor`` and on a ``torch.Tensor`` (their operator
syntax is the same), tinygrad style: one line per operation.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close
from hypothesis import given, settings
from strategies import EXAMPLES, arrays

from nonlinear import activations
from nonlinear.autograd import Tensor, as_tensor, graph, unbroadcast


def positive(shape, rng):
    return rng.uniform(0.5, 2.0, size=shape)


def normal(shape, rng):
    return rng.normal(size=shape)


def engine_and_torch(fn, inputs, seed=0):
    """Run fn on engine Tensors and torch tensors; backward with the same random upstream gradient."""
    tensors = [Tensor(x, requires_grad=True) for x in inputs]
    out = fn(*tensors)
    g = np.random.default_rng(seed + 100).normal(size=out.shape)
    out.backward(g)
    torch_inputs = [torch.tensor(x, requires_grad=True) for x in inputs]
    torch_out = fn(*torch_inputs)
    torch_out.backward(torch.tensor(g))
    return out, tensors, torch_out, torch_inputs, g


def central_differences(fn, inputs, g, h=1e-6):
    """Gradient of sum(g * fn(inputs)) with respect to every input, by central differences (numpy only)."""

    def value(arrays):
        return float(np.sum(g * fn(*[Tensor(a) for a in arrays]).data))

    grads = []
    for k, x in enumerate(inputs):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            plus = [a.copy() for a in inputs]
            minus = [a.copy() for a in inputs]
            plus[k][i] += h
            minus[k][i] -= h
            grad[i] = (value(plus) - value(minus)) / (2 * h)
        grads.append(grad)
    return grads


OPS = {
    "add": (lambda a, b: a + b, [(3, 4), (3, 4)], normal),
    "add_bias_broadcast": (lambda a, b: a + b, [(5, 3), (3,)], normal),
    "add_column_row_broadcast": (lambda a, b: a + b, [(4, 1), (1, 3)], normal),
    "sub": (lambda a, b: a - b, [(3, 4), (4,)], normal),
    "rsub": (lambda a: 2.0 - a, [(3, 4)], normal),
    "neg": (lambda a: -a, [(3,)], normal),
    "mul_broadcast": (lambda a, b: a * b, [(3, 4), (1, 4)], normal),
    "rmul": (lambda a: 3.0 * a, [(3, 4)], normal),
    "div": (lambda a, b: a / b, [(3, 4), (3, 4)], positive),
    "div_broadcast": (lambda a, b: a / b, [(3, 4), (4,)], positive),
    "rtruediv": (lambda a: 1.0 / a, [(3, 4)], positive),
    "pow_2": (lambda a: a**2, [(3, 4)], normal),
    "pow_half": (lambda a: a**0.5, [(3, 4)], positive),
    "pow_minus_1_5": (lambda a: a**-1.5, [(3, 4)], positive),
    "matmul": (lambda a, b: a @ b, [(3, 4), (4, 2)], normal),
    "matmul_transpose": (lambda a, b: a @ b.T, [(3, 4), (2, 4)], normal),
    "transpose": (lambda a: a.T * 1.0, [(3, 4)], normal),
    "sum_all": (lambda a: a.sum(), [(3, 4)], normal),
    "sum_dim0": (lambda a: a.sum(dim=0), [(3, 4)], normal),
    "sum_dim1_keepdim": (lambda a: a.sum(dim=1, keepdim=True), [(3, 4)], normal),
    "sum_dim_last_3d": (lambda a: a.sum(dim=-1), [(2, 3, 4)], normal),
    "mean_all": (lambda a: a.mean(), [(3, 4)], normal),
    "mean_dim0": (lambda a: a.mean(dim=0), [(3, 4)], normal),
    "mean_dim1_keepdim": (lambda a: a.mean(dim=1, keepdim=True), [(3, 4)], normal),
    "mean_dims_0_2": (lambda a: a.mean(dim=(0, 2)), [(2, 3, 4)], normal),
    "reshape": (lambda a: a.reshape(4, 3) * 2.0, [(3, 4)], normal),
    "reshape_flat": (lambda a: a.reshape(-1), [(2, 3, 2)], normal),
    "exp": (lambda a: a.exp(), [(3, 4)], normal),
    "log": (lambda a: a.log(), [(3, 4)], positive),
    "sqrt": (lambda a: a.sqrt(), [(3, 4)], positive),
    "reuse_diamond": (lambda a: a * a + a.exp() * a, [(3,)], normal),
    "chain": (lambda a, b: ((a @ b).exp() + 1.0).log().mean(dim=0).sum(), [(4, 3), (3, 2)], normal),
}


@pytest.mark.parametrize("op", OPS)
def test_primitive_gradient_matches_torch(op):
    fn, shapes, draw = OPS[op]
    rng = np.random.default_rng(0)
    inputs = [draw(s, rng) for s in shapes]
    out, tensors, torch_out, torch_inputs, _ = engine_and_torch(fn, inputs)
    assert isinstance(out, Tensor)
    assert_close(out.data, torch_out.detach().numpy(), inputs[0], rtol=1e-14, what=f"{op} forward")
    for k, (t, tt) in enumerate(zip(tensors, torch_inputs, strict=True)):
        assert t.grad.shape == t.shape, f"{op}: gradient of input {k} has shape {t.grad.shape}, expected {t.shape}"
        assert_close(t.grad, tt.grad.numpy(), inputs[k], rtol=1e-13, what=f"{op} gradient of input {k}")


@pytest.mark.parametrize("op", OPS)
def test_primitive_gradient_matches_central_differences(op):
    fn, shapes, draw = OPS[op]
    rng = np.random.default_rng(1)
    inputs = [draw(s, rng) for s in shapes]
    tensors = [Tensor(x, requires_grad=True) for x in inputs]
    out = fn(*tensors)
    g = rng.normal(size=out.shape)
    out.backward(g)
    for k, numeric in enumerate(central_differences(fn, inputs, g)):
        assert_close(tensors[k].grad, numeric, inputs[k], rtol=1e-6, atol=1e-7, what=f"{op} vs differences, input {k}")


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(4, 3), min_value=-5, max_value=5), b=arrays(shape=(3,), min_value=-5, max_value=5))
def test_bias_gradient_is_the_column_sum(x, b):
    xt, bt = Tensor(x, requires_grad=True), Tensor(b, requires_grad=True)
    (xt + bt).backward(np.ones((4, 3)))
    np.testing.assert_array_equal(bt.grad, np.full(3, 4.0))
    np.testing.assert_array_equal(xt.grad, np.ones((4, 3)))


def test_unbroadcast_sums_leading_and_size_one_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=0).sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(unbroadcast(g, (2, 3, 4)), g)


def test_gradients_accumulate_across_two_backward_calls():
    w = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad.copy()
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(first, [2.0, -4.0, 6.0])
    np.testing.assert_array_equal(w.grad, first + 3.0)
    w.zero_grad()
    assert w.grad is None


def test_accumulation_matches_torch():
    x = np.random.default_rng(0).normal(size=(3, 2))
    t, tt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for fn in (lambda a: (a * a).sum(), lambda a: a.exp().mean()):
        fn(t).backward()
        fn(tt).backward()
    assert_close(t.grad, tt.grad.numpy(), x, rtol=1e-14, what="accumulated gradient")


def test_constants_get_no_gradient():
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    out = (x * w).sum()
    assert out.requires_grad and not x.requires_grad
    out.backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])
    assert not (x * 2.0).requires_grad


def test_numpy_array_on_the_left_defers_to_tensor():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    out = np.array([[1.0, 2.0]]) @ w
    assert isinstance(out, Tensor)
    out = (np.array([1.0, 2.0]) * w + np.array(1.0) - w / np.array(2.0)).sum()
    assert isinstance(out, Tensor)
    out.backward()
    np.testing.assert_allclose(w.grad, [[0.5, 1.5], [0.5, 1.5]], rtol=1e-15)


@pytest.mark.parametrize("name", activations.names())
def test_activation_on_a_tensor_backpropagates_its_vjp(name):
    a = activations.get(name)
    x = np.linspace(-4, 4, 24).reshape(3, 8) + 0.01
    t = Tensor(x, requires_grad=True)
    out = a(t)
    assert isinstance(out, Tensor) and out.op == name
    g = np.random.default_rng(0).normal(size=out.shape)
    out.backward(g)
    np.testing.assert_array_equal(t.grad, a.vjp(x, g))


def test_activation_derivative_matches_engine_and_differences():
    """The hand-derived f' is what the engine runs, and it matches central differences."""
    x = np.linspace(-5, 5, 41) + 0.013
    for name in ("sigmoid", "tanh", "gelu", "mish", "elu"):
        a = activations.get(name)
        t = Tensor(x, requires_grad=True)
        a(t).sum().backward()
        np.testing.assert_array_equal(t.grad, a.derivative(x))
        numeric = (a(x + 1e-6) - a(x - 1e-6)) / 2e-6
        assert_close(t.grad, numeric, x, rtol=1e-7, atol=1e-8, what=f"{name} engine vs differences")


def test_graph_lists_nodes_in_topological_order_and_edges():
    a = Tensor(2.0, requires_grad=True, label="a")
    b = Tensor(3.0, requires_grad=True, label="b")
    c = a * b
    d = c + a
    nodes, edges = graph(d)
    assert nodes[-1] is d and set(map(id, nodes)) == {id(a), id(b), id(c), id(d)}
    position = {id(n): i for i, n in enumerate(nodes)}
    for parent, child in edges:
        assert position[id(parent)] < position[id(child)]
    assert len(edges) == 4
    d.backward()
    assert a.grad == 4.0 and b.grad == 2.0


def test_tensor_attributes_and_helpers():
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    assert t.shape == (1, 2) and t.ndim == 2 and t.dtype == np.float64 and len(t) == 1
    assert "requires_grad=True" in repr(t)
    assert as_tensor(t) is t and isinstance(as_tensor(1.0), Tensor)
    assert not t.detach().requires_grad
    assert Tensor(np.float32([1.0])).dtype == np.float32
    assert t.sum().item() == 3.0


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_no_grad_records_no_graph_and_evaluation_keeps_none():
    from nonlinear import autograd, nn

    w = Tensor([2.0, -1.0], requires_grad=True)
    with autograd.no_grad():
        y = (w * w).sum()
    assert y.parents == () and not y.requires_grad and y.item() == 5.0
    with pytest.raises(RuntimeError, match="needs no gradient"):
        y.backward()  # as torch: nothing to differentiate
    with pytest.raises(RuntimeError, match="needs no gradient"):
        (Tensor([1.0]) * 2).sum().backward()
    z = (w * w).sum()  # recording again after the block
    assert z.parents and z.requires_grad
    z.backward()
    assert w.grad.tolist() == [4.0, -2.0]
    model = nn.MLP([3, 4, 2], seed=0)
    X, labels = np.ones((5, 3)), np.array([0, 1, 0, 1, 0])
    loss, _ = nn.evaluate(model, X, labels)
    assert loss == nn.cross_entropy(model(X), labels).item()  # the same number as with a graph
    with autograd.no_grad():
        assert model(X).parents == ()


def test_backward_without_argument_needs_a_scalar():
    with pytest.raises(ValueError, match=r"needs a scalar \(a loss\); this tensor has shape \(2,\)"):
        Tensor([1.0, 2.0], requires_grad=True).backward()


def test_power_needs_a_constant_exponent():
    t = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="needs a plain number p"):
        t ** Tensor([2.0])


def test_matmul_shape_errors_say_what_was_expected():
    with pytest.raises(ValueError, match=r"@ works on 2-d tensors.*got \(3,\) @ \(3, 2\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"inner sizes 3 != 4"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))


@pytest.mark.parametrize("bad", [["a", "b"], np.array([True]), np.array([1j]), np.array([object()], dtype=object)])
def test_tensor_of_non_numbers_raises_type_error(bad):
    with pytest.raises(TypeError, match="must hold real numbers"):
        Tensor(bad)
