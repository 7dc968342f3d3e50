"""Exercise checkers for the labs: compare a student's answer with expected values and say what is wrong.

One module per lab (``lab02`` ... ``lab07``) beside the shared helpers of :mod:`nonlinear.checks.core`.
A check never raises at the student: an exception in their code, a wrong shape, a NaN, an overflow
warning or a changed input becomes a failed :class:`CheckResult` whose message says where and by how
much. The package holds no exercise's answer: the expected values come with the lab (``lab_data/``,
written by ``scripts/make_labs.py`` from the references kept with the masters), or the check tests a
property of the answer. ``bool(result)`` is True only on a pass.

Every lab's checks are also importable from here: ``from nonlinear import checks;
checks.check_stable_sigmoid(f)``; hidden tests pass their own cases: ``check_...(f, data=...)``.
"""

# ruff: noqa: F401  (re-exports: every lab's checks under nonlinear.checks)
from nonlinear.checks import lab02, lab03, lab04, lab05, lab06, lab07
from nonlinear.checks.core import CheckResult, decode, dumps, edge_inputs, encode, sample_inputs
from nonlinear.checks.lab02 import (
    XOR_LABELS,
    XOR_POINTS,
    check_best_linear_accuracy,
    check_collapse,
    check_collapse_affine,
    check_superposition_gap,
    check_xor_network,
    xor_scores,
)
from nonlinear.checks.lab03 import (
    check_central_difference,
    check_linear_backward,
    check_mse_backward,
    check_sgd_step,
    check_sigmoid_vjp,
    check_two_layer_gradients,
)
from nonlinear.checks.lab04 import (
    check_elu_derivative,
    check_largest_stable_lr,
    check_tanh_vjp_from_output,
    check_vanishing_depth,
)
from nonlinear.checks.lab05 import (
    DEAD_RELU_LRS,
    check_dead_fraction_after_training,
    check_half_dead_lr,
    check_leaky_relu_derivative,
    check_logsumexp,
    check_stable_sigmoid,
    check_stable_softplus,
)
from nonlinear.checks.lab06 import (
    check_gelu_tanh,
    check_hard_swish,
    check_layer_statistics,
    check_swiglu,
    check_swiglu_hidden_size,
    check_swish_derivative,
)
from nonlinear.checks.lab07 import (
    INIT_ACTIVATIONS,
    INIT_SCHEMES,
    OUTPUT_ACTIVATIONS,
    OUTPUT_LOSSES,
    OUTPUT_TASKS,
    check_accuracy_summary,
    check_bce_with_logits,
    check_cross_entropy,
    check_init_choices,
    check_output_choices,
    signal_std,
)

__all__ = [name for name in dir() if not name.startswith("_")]
