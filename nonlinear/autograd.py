r"""A small vectorised reverse-mode autodiff engine (chapter 3 builds it up step by step).

A :class:`Tensor` wraps a numpy array. Every operation returns a new Tensor
that remembers its parents and a ``backward`` function: given the gradient of
the loss with respect to the result, it returns the gradients with respect to
each parent (the *local* step of the chain rule). ``loss.backward()`` visits
the graph in reverse topological order and adds these up.

>>> from nonlinear.autograd import Tensor
>>> w = Tensor([2.0, -1.0], requires_grad=True)
>>> loss = (w * w).sum()
>>> loss.backward()
>>> w.grad
array([ 4., -2.])

Broadcasting works as in numpy; a gradient flowing into a broadcast operand
(a bias added to every row, say) is summed back to the operand's shape.
Activations from :mod:`nonlinear.activations` accept a Tensor and use their
own ``vjp`` as the backward step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from nonlinear._arrays import as_float_array


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcast, so it has ``shape`` again."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array in a computational graph.

    Attributes: ``data`` (numpy array), ``grad`` (same shape, after ``backward``),
    ``requires_grad``, ``op`` (name of the operation that made it), ``parents``.
    """

    __array_priority__ = 100  # numpy array (op) Tensor defers to Tensor's reflected op

    def __init__(self, data, requires_grad: bool = False, label: str = ""):
        self.data = as_float_array(data, name="Tensor data", allow_nan=True)
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self.parents: tuple[Tensor, ...] = ()
        self.op = ""
        self.label = label
        self._backward: Callable[[np.ndarray], Iterable[np.ndarray]] | None = None

    @classmethod
    def from_op(cls, data, parents, backward, op: str) -> Tensor:
        """A result of an operation: ``backward(grad_out)`` returns one gradient per parent."""
        out = cls(data)
        out.parents = tuple(parents)
        out.requires_grad = any(p.requires_grad for p in out.parents)
        out._backward = backward if out.requires_grad else None
        out.op = op
        return out

    # -- shape and display ---------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4)}{grad})"

    def __len__(self) -> int:
        return len(self.data)

    # -- the backward pass ---------------------------------------------------
    def backward(self, grad=None) -> None:
        """Fill ``.grad`` of every tensor this one depends on (gradients accumulate)."""
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without an argument needs a scalar (a loss); this tensor has shape {self.shape}"
                )
            grad = np.ones_like(self.data)
        grad = np.broadcast_to(as_float_array(grad, name="grad"), self.shape).astype(self.dtype)

        order: list[Tensor] = []
        seen: set[int] = set()

        def visit(node: Tensor) -> None:  # iterative would be faster; depth here is small
            if id(node) in seen:
                return
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

        visit(self)
        pending: dict[int, np.ndarray] = {id(self): grad}
        for node in reversed(order):
            g = pending.pop(id(node), None)
            if g is None or not node.requires_grad:
                continue
            if not node.parents:  # a leaf: keep its gradient
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, parent_grad in zip(node.parents, node._backward(g)):
                if parent.requires_grad:
                    parent_grad = unbroadcast(np.asarray(parent_grad), parent.shape)
                    pending[id(parent)] = pending[id(parent)] + parent_grad if id(parent) in pending else parent_grad

    def zero_grad(self) -> None:
        self.grad = None

    def detach(self) -> Tensor:
        return Tensor(self.data)

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other) -> Tensor:
        other = as_tensor(other)
        return Tensor.from_op(self.data + other.data, (self, other), lambda g: (g, g), "+")

    def __mul__(self, other) -> Tensor:
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor.from_op(a * b, (self, other), lambda g: (g * b, g * a), "*")

    def __neg__(self) -> Tensor:
        return Tensor.from_op(-self.data, (self,), lambda g: (-g,), "neg")

    def __sub__(self, other) -> Tensor:
        return self + (-as_tensor(other))

    def __truediv__(self, other) -> Tensor:
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor.from_op(a / b, (self, other), lambda g: (g / b, -g * a / (b * b)), "/")

    def __pow__(self, exponent) -> Tensor:
        if isinstance(exponent, Tensor) or not np.isscalar(exponent):
            raise TypeError("Tensor ** p needs a plain number p (a constant exponent)")
        a = self.data
        return Tensor.from_op(a**exponent, (self,), lambda g: (g * exponent * a ** (exponent - 1),), f"**{exponent}")

    def __matmul__(self, other) -> Tensor:
        other = as_tensor(other)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(
                f"@ works on 2-d tensors (batch x features) @ (features x outputs); got {a.shape} @ {b.shape}"
            )
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"shapes {a.shape} and {b.shape} do not chain: inner sizes {a.shape[1]} != {b.shape[0]}")
        return Tensor.from_op(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g), "@")

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other) -> Tensor:
        return as_tensor(other) - self

    def __rtruediv__(self, other) -> Tensor:
        return as_tensor(other) / self

    def __rmatmul__(self, other) -> Tensor:
        return as_tensor(other) @ self

    # -- reductions and shapes -----------------------------------------------
    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        shape = self.shape

        def backward(g):
            if dim is not None and not keepdim:
                g = np.expand_dims(g, dim)
            return (np.broadcast_to(g, shape),)

        return Tensor.from_op(self.data.sum(axis=dim, keepdims=keepdim), (self,), backward, "sum")

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        count = self.data.size if dim is None else np.prod([self.shape[d] for d in np.atleast_1d(dim)])
        return self.sum(dim, keepdim) * (1.0 / count)

    def reshape(self, *shape) -> Tensor:
        old = self.shape
        return Tensor.from_op(self.data.reshape(*shape), (self,), lambda g: (g.reshape(old),), "reshape")

    @property
    def T(self) -> Tensor:
        return Tensor.from_op(self.data.T, (self,), lambda g: (g.T,), "T")

    # -- a few elementwise functions the losses and layers need ---------------
    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return Tensor.from_op(out, (self,), lambda g: (g * out,), "exp")

    def log(self) -> Tensor:
        a = self.data
        return Tensor.from_op(np.log(a), (self,), lambda g: (g / a,), "log")

    def sqrt(self) -> Tensor:
        return self**0.5


def as_tensor(value) -> Tensor:
    """``value`` itself if it is a Tensor, else a constant Tensor (no gradient)."""
    return value if isinstance(value, Tensor) else Tensor(value)


def graph(root: Tensor) -> tuple[list[Tensor], list[tuple[Tensor, Tensor]]]:
    """Nodes (in topological order) and edges (parent, child) of the graph that made ``root``."""
    nodes: list[Tensor] = []
    edges: list[tuple[Tensor, Tensor]] = []
    seen: set[int] = set()

    def visit(node: Tensor) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
            edges.append((parent, node))
        nodes.append(node)

    visit(root)
    return nodes, edges
