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

As in torch, a Python number takes the tensor's dtype (float32 stays float32,
gradients included), ``backward()`` needs a gradient for a non-scalar output,
the graph may be as deep as memory allows (the sort is iterative), and inside
``with no_grad():`` operations record no graph (evaluation needs none).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from nonlinear._arrays import as_float_array

_recording = [True]  # False inside no_grad()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within the block, results keep no parents and no backward step (as ``torch.no_grad``)."""
    before = _recording[0]
    _recording[0] = False
    try:
        yield
    finally:
        _recording[0] = before


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
        self._released = False  # backward(retain_graph=False) went through this node

    @classmethod
    def from_op(cls, data, parents, backward, op: str) -> Tensor:
        """A result of an operation: ``backward(grad_out)`` returns one gradient per parent."""
        out = cls(data)
        if not _recording[0]:
            out.op = op
            return out  # no_grad(): a leaf that needs no gradient
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

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a Tensor with {self.data.size} elements is ambiguous")
        return bool(self.data.item())

    def _constant(self, other) -> Tensor:
        """``other`` as a Tensor; a Python or numpy number (or 0-d array) takes this tensor's dtype, as in torch."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.number)) or (isinstance(other, np.ndarray) and other.ndim == 0):
            if not isinstance(other, (bool, np.bool_)):
                return Tensor(np.asarray(other, dtype=self.dtype))
        return Tensor(other)

    # -- the backward pass ---------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Fill ``.grad`` of every tensor this one depends on (gradients accumulate).

        ``grad`` (the gradient of the loss with respect to this tensor) must have this
        tensor's shape; it may be left out only for a tensor of one element (a loss).
        As in torch, the pass frees the graph as it goes (each node lets go of what it saved
        for its backward step and of its inputs), so a training step holds no more than it
        needs. ``retain_graph=True`` keeps the graph: to run backward through it again, or to
        draw it afterwards (``plotting.plot_graph``).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that needs no gradient: nothing it was computed from has "
                "requires_grad=True, or it was computed inside no_grad() (torch refuses this too)"
            )
        given = None
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without an argument needs a scalar (a loss); this tensor has shape {self.shape}: "
                    "pass the gradient of the loss with respect to it, an array of that shape"
                )
            grad = np.ones_like(self.data)
        else:
            given = as_float_array(grad, name="grad", allow_nan=True)
            if given.shape != self.shape:
                raise ValueError(f"backward(grad): grad has shape {given.shape}, this tensor has shape {self.shape}")
            grad = given.astype(self.dtype, copy=False)

        order = _topological(self, edges=False)[0]
        # Each pending gradient comes with a flag: True when this pass made the array and no one
        # else holds it. A backward step may then overwrite it (an activation multiplies it by f'
        # in place) and a leaf may keep it without a copy; any other array is handed on read-only.
        pending: dict[int, tuple[np.ndarray, bool]] = {id(self): (grad, grad is not given)}  # never write into yours
        while order:
            node = order.pop()  # reverse topological order; the list lets go of each node as it goes
            g, owned = pending.pop(id(node), (None, False))
            if g is None or not node.requires_grad:
                continue
            if node._released:
                raise RuntimeError(
                    f"the graph through this {node.op!r} node was freed by an earlier backward() (as in torch); "
                    "run the forward pass again, or pass retain_graph=True to the first backward()"
                )
            if not node.parents:  # a leaf: keep its gradient (a copy only when the array is not ours alone)
                if not owned or g.dtype != node.dtype:
                    g = np.array(g, dtype=node.dtype)
                node.grad = g if node.grad is None else node.grad + g
                continue
            grads = tuple(node._backward(g if owned else _read_only(g)))
            for parent, parent_grad in zip(node.parents, grads):
                if parent.requires_grad and parent_grad is not None:
                    summed = unbroadcast(np.asarray(parent_grad), parent.shape)
                    fresh = summed is not parent_grad or (
                        summed.flags.writeable and summed.base is None and sum(a is parent_grad for a in grads) == 1
                    )
                    if id(parent) in pending:
                        summed, fresh = pending[id(parent)][0] + summed, True
                    pending[id(parent)] = (summed, fresh)
            if not retain_graph:  # let go of the saved arrays and of the parents (freed once nothing else holds them)
                node._backward, node.parents, node._released = None, (), True

    def zero_grad(self) -> None:
        self.grad = None

    def detach(self) -> Tensor:
        return Tensor(self.data)

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other) -> Tensor:
        other = self._constant(other)
        return Tensor.from_op(self.data + other.data, (self, other), lambda g: (g, g), "+")

    def __mul__(self, other) -> Tensor:
        other = self._constant(other)
        a, b = self.data, other.data
        return Tensor.from_op(a * b, (self, other), lambda g: (g * b, g * a), "*")

    def __neg__(self) -> Tensor:
        return Tensor.from_op(-self.data, (self,), lambda g: (-g,), "neg")

    def __sub__(self, other) -> Tensor:
        return self + (-self._constant(other))

    def __truediv__(self, other) -> Tensor:
        other = self._constant(other)
        a, b = self.data, other.data
        return Tensor.from_op(a / b, (self, other), lambda g: (g / b, -g * a / (b * b)), "/")

    def __pow__(self, exponent) -> Tensor:
        if isinstance(exponent, Tensor) or not np.isscalar(exponent):
            raise TypeError("Tensor ** p needs a plain number p (a constant exponent)")
        a = self.data

        def backward(g):
            if exponent == 0:  # torch: d(a**0)/da = 0 everywhere, also at a = 0 (where 0 * a**-1 would be NaN)
                return (np.zeros_like(a),)
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** negative is inf, as in torch
                return (g * exponent * a ** (exponent - 1),)

        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor.from_op(a**exponent, (self,), backward, f"**{exponent}")

    def __matmul__(self, other) -> Tensor:
        other = self._constant(other)
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
        return self._constant(other) - self

    def __rtruediv__(self, other) -> Tensor:
        return self._constant(other) / self

    def __rmatmul__(self, other) -> Tensor:
        return self._constant(other) @ self

    # -- reductions and shapes -----------------------------------------------
    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        shape = self.shape

        def backward(g):
            if dim is not None and not keepdim:
                g = np.expand_dims(g, dim)
            return (np.broadcast_to(g, shape),)

        return Tensor.from_op(self.data.sum(axis=dim, keepdims=keepdim), (self,), backward, "sum")

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        count = self.data.size if dim is None else int(np.prod([self.shape[d] for d in np.atleast_1d(dim)]))
        return self.sum(dim, keepdim) * (1.0 / count if count else float("nan"))  # torch: the mean of nothing is NaN

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


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def as_tensor(value) -> Tensor:
    """``value`` itself if it is a Tensor, else a constant Tensor (no gradient)."""
    return value if isinstance(value, Tensor) else Tensor(value)


def graph(root: Tensor) -> tuple[list[Tensor], list[tuple[Tensor, Tensor]]]:
    """Nodes (in topological order) and edges (parent, child) of the graph that made ``root``."""
    if not isinstance(root, Tensor):
        raise TypeError(f"graph() needs an autograd Tensor, got {type(root).__name__}")
    if root._released:
        raise RuntimeError(
            f"the graph that made this {root.op!r} node was freed by its backward pass (as in torch); "
            "to draw or walk it afterwards, call backward(retain_graph=True)"
        )
    return _topological(root)


def _topological(root: Tensor, edges: bool = True) -> tuple[list[Tensor], list[tuple[Tensor, Tensor]]]:
    """Depth-first post-order from ``root``: every node after its parents; edges in the order they are met.

    The same order as the recursive ``visit(node): visit each parent, then append node``,
    with an explicit stack, so that a chain of any length fits (Python's recursion stops near 1,000).
    """
    nodes: list[Tensor] = []
    pairs: list[tuple[Tensor, Tensor]] = []
    seen = {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
            if edges:
                pairs.append((parent, node))  # a parent visited before: its edge comes at once
        else:
            stack.pop()
            nodes.append(node)
            if stack and edges:
                pairs.append((node, stack[-1][0]))  # back in the child that led here
    return nodes, pairs
