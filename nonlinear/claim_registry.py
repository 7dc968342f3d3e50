"""The claims of the four source articles: one entry per claim, data only.

Each entry names the claim (an ``id`` that stays fixed), the source(s) and the
section where it is made, the claim as the source states it (paraphrased in
English), the reason it gives (``mechanism``, or ``None``), the one page that
tests it and records its verdict (``page``, a docname), the experiment's name
(the link text in the ledger), and, for comparative claims, the threshold
fixed before looking (``threshold``, in the units of ``metric``).

Edit an entry in place (keep the id); add new claims in the block of the
chapter that owns them. Logic lives in :mod:`nonlinear.claims`.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = {
    "000": "Jain, 'Why must neural networks have activation functions?' (Chinese translation)",
    "001": "'Which normalisation should data get when tanh is the activation' (blog post)",
    "003": "Wikipedia, 'Rectifier (neural networks)', bilingual copy",
    "004": "'[AI] Activation functions' (blog post)",
    "course": "this course: a question the sources do not raise, tested because it is often said",
}


@dataclass(frozen=True)
class Entry:
    """One claim of the sources (see the module docstring for the fields)."""

    id: str
    sources: tuple[str, ...]
    section: str
    claim: str
    mechanism: str | None
    page: str
    experiment: str
    threshold: float | None = None
    metric: str = ""

    @property
    def source(self) -> str:
        """The sources as one string, for example ``'000, 003'``."""
        return ", ".join(self.sources)

    @property
    def chapter(self) -> str:
        """``'1'`` … ``'7'``: the chapter of the owning page."""
        return self.page.split("/")[1][1]


CH1 = "chapters/01_what_is_an_activation"
CH2 = "chapters/02_why_nonlinearity"
CH3 = "chapters/03_backpropagation"
CH4 = "chapters/04_good_activation"
CH4B = "chapters/04_centring_and_cost"
CH4C = "chapters/04_shape_and_range"
C5 = "chapters/05_classic/"
C6 = "chapters/06_modern/"
C7 = "chapters/07_choosing/"

ENTRIES: tuple[Entry, ...] = (
    # --- Chapter 1 -------------------------------------------------------------------------------
    Entry(
        "c1-sigmoid-biology",
        ("001",),
        "§4 (sigmoid)",
        "The sigmoid is the activation physically closest to a biological neuron",
        None,
        CH1,
        "fitting a neuron's firing-rate curve",
    ),
    # --- Chapter 2 -------------------------------------------------------------------------------
    Entry(
        "c2-linear-collapse",
        ("001", "000", "004"),
        "001 §2; 000 §2; 004 intro",
        "Without activation functions a network of any depth is equivalent to a single linear layer",
        None,
        CH2,
        "collapsing a deep linear network",
    ),
    Entry(
        "c2-nonlinear-data",
        ("000",),
        "§2 (the smoker example)",
        "A linear model cannot separate data whose class pattern is nonlinear",
        None,
        CH2,
        "linear and nonlinear models on four data sets",
    ),
    Entry(
        "c2-range",
        ("000",),
        "§2, point 1",
        "Activation functions are needed to keep neuron outputs within a range",
        "without a bound, outputs grow very large in deep networks and make the computation expensive",
        CH2,
        "output growth through 50 layers, and the time of large values",
    ),
    Entry(
        "c2-universal",
        ("001", "004"),
        "001 §2; 004 intro",
        "With nonlinear activations a neural network can approximate any function",
        None,
        CH2,
        "fitting a curve with more and more ReLU units",
    ),
    # --- Chapter 3 -------------------------------------------------------------------------------
    Entry(
        "c3-chain-rule",
        ("000",),
        "§3.1 (vanishing gradients)",
        "For o(x) = f2(f1(x)), o'(x) = f2(x)·f1'(x), and f1'(x) = Act(W1x1+b1)·x1",
        None,
        CH3,
        "the printed chain rule against finite differences",
    ),
    # --- Chapter 4 -------------------------------------------------------------------------------
    Entry(
        "c4-sigmoid-five-layers",
        ("001",),
        "§4 (sigmoid)",
        "Sigmoid networks show vanishing gradients within 5 layers",
        None,
        CH4,
        "relative gradient of the first layer against depth",
    ),
    Entry(
        "c4-values-shrink",
        ("000",),
        "§3.1 (vanishing gradients)",
        "In deep networks the gradients of the first layers shrink towards zero (vanishing gradients)",
        "the activation's values lie between 0 and 1, and several of them are multiplied together",
        CH4,
        "value against derivative in the backward pass",
    ),
    Entry(
        "c4-relu-gradient-flow",
        ("003", "000", "004"),
        "003 §2; 000 §4.3; 004 §3",
        "ReLU does not saturate for positive inputs and so avoids vanishing gradients; "
        "it propagates gradients better than sigmoid-like functions",
        "its derivative is 1 for every positive input",
        CH4,
        "relative gradients through 30 ReLU layers, He and Xavier",
    ),
    Entry(
        "c4-centring-speed",
        ("004", "000", "001"),
        "004 §1 (sigmoid); 000 §3.2; 001 §4 (sigmoid)",
        "Outputs that are not zero-centred (sigmoid) slow down convergence",
        "with all-positive inputs every component of a unit's weight gradient has the same sign, so updates zig-zag",
        CH4B,
        "sigmoid against the centred sigmoid σ(x) − ½, 10 paired seeds",
        threshold=0.05,
        metric="relative reduction of the mean training loss over the epochs, (sigmoid − centred) / sigmoid",
    ),
    Entry(
        "c4-tanh-faster",
        ("001",),
        "§4 (tanh)",
        "tanh converges faster than sigmoid",
        "its output has mean zero",
        CH4B,
        "tanh, sigmoid and a centred sigmoid on MNIST-1D, 3 depths, 2 optimisers",
        threshold=0.05,
        metric="relative reduction of the mean training loss over the epochs, (sigmoid − tanh) / sigmoid",
    ),
    Entry(
        "c4-sigmoid-expensive",
        ("001", "000"),
        "001 §4 (why ReLU); 000 §4.1",
        "Sigmoid is expensive to compute (compared with ReLU)",
        "it needs an exponential, and its derivative a division",
        CH4B,
        "timing a whole layer step, sigmoid against ReLU",
        threshold=0.5,
        metric="time ratio sigmoid / ReLU of a whole layer step, minus 1 (per paired repeat)",
    ),
    Entry(
        "c4-differentiable",
        ("000", "001"),
        "000 §3.4; 001 §3",
        "An activation must be differentiable (at least piecewise) to be trained by gradient descent",
        None,
        CH4C,
        "exact zeros at ReLU's kink during training",
    ),
    Entry(
        "c4-monotonic-convex",
        ("001",),
        "§3",
        "With a monotonic activation a single-layer network's loss is convex",
        None,
        CH4C,
        "loss along a line in weight space",
    ),
    Entry(
        "c4-bounded-stable",
        ("001",),
        "§3",
        "Bounded activations make gradient-based training more stable; unbounded ones train more "
        "efficiently but need a smaller learning rate",
        None,
        CH4C,
        "largest learning rate that still reaches a stated accuracy",
        threshold=1.0,
        metric="log2 of the largest learning rate reaching the target accuracy, bounded − ReLU",
    ),
    Entry(
        "c4-relu-sparsity",
        ("003",),
        "§2 (advantages)",
        "In a randomly initialised network about 50% of ReLU hidden units are active",
        None,
        CH4C,
        "active, never-active and always-active units",
    ),
    Entry(
        "c4-sparsity-cost",
        ("003",),
        "§2 (advantages: simpler computation)",
        "The sparsity of ReLU's activity lowers the network's overall computation cost",
        None,
        CH4C,
        "timing the next layer's product on a ReLU output with its zeros and with them filled",
        threshold=0.2,
        metric="time ratio (H with its zeros filled) / (H with ReLU's zeros) of the dense product H @ W, minus 1 "
        "(per paired round)",
    ),
    # --- Chapter 5 (classic activations) ---------------------------------------------------------
    Entry(
        "c5-sigmoid-never-used",
        ("000",),
        "§4.1 (sigmoid)",
        "Sigmoid is never used in real models; it is listed only for historical reasons",
        None,
        C5 + "sigmoid",
        "sigmoid inside LSTM gates, SiLU and GLU",
    ),
    Entry(
        "c5-sigmoid-hard-to-train",
        ("001",),
        "§4 (sigmoid)",
        "Sigmoid's saturation makes deep sigmoid networks hard to train",
        "its derivative is close to 0 outside a narrow range",
        C5 + "sigmoid",
        "deep sigmoid against tanh",
        threshold=0.05,
        metric="test accuracy after 10 epochs on MNIST-1D, tanh − sigmoid, at 8 and 20 hidden layers",
    ),
    Entry(
        "c5-sigmoid-probabilities",
        ("001", "004"),
        "001 §4 (sigmoid); 004 §1",
        "Sigmoid outputs in (0, 1) can be used as probabilities",
        None,
        C5 + "sigmoid",
        "calibration of sigmoid outputs",
    ),
    Entry(
        "c5-sigmoid-input-normalise",
        ("001",),
        "§4 (sigmoid)",
        "Sigmoid's (0, 1) output can be used to normalise the inputs",
        None,
        C5 + "sigmoid",
        "sigmoid of the inputs against standardised inputs",
        threshold=0.01,
        metric="test accuracy of a 64-64 ReLU MLP on the digits after 20 epochs, σ-prepared inputs (σ of the raw "
        "counts, σ of the standardised inputs) − standardised inputs, 2 training sizes × 2 optimisers; the claim's "
        "direction is 'not worse by more than the threshold' (non-inferiority: decided on the differences + threshold)",
    ),
    Entry(
        "c5-softmax-identities",
        ("003",),
        "§4 (softplus)",
        "softplus′ is the logistic function; the gradient of LogSumExp is softmax; with a zero first "
        "argument LSE generalises softplus and softmax generalises the logistic function",
        None,
        C5 + "softmax_softplus",
        "the four identities, checked numerically",
    ),
    Entry(
        "c5-softmax-generalises-sigmoid",
        ("000", "004"),
        "000 §4.1; 004 §6",
        "Softmax is the generalisation of sigmoid to several classes; its outputs lie in [0, 1]",
        None,
        C5 + "softmax_softplus",
        "two-class softmax against sigmoid",
    ),
    Entry(
        "c5-tanh-only-centring",
        ("000",),
        "§4.2 (tanh)",
        "Compared with sigmoid, tanh only solves the zero-centring problem",
        None,
        C5 + "tanh",
        "what else tanh changes: slope and gradient flow",
    ),
    Entry(
        "c5-relu-advantages",
        ("003",),
        "§2 (advantages; sparse activation, gradient propagation and cheap computation are judged in chapter 4)",
        "ReLU is scale-invariant: max(0, ax) = a·max(0, x) for every a ≥ 0",
        None,
        C5 + "relu",
        "the scale identity on a grid",
    ),
    Entry(
        "c5-relu-problems",
        ("003",),
        "§3 (potential problems)",
        "ReLU is not differentiable at zero, not zero-centred and unbounded",
        None,
        C5 + "relu",
        "ReLU's three problems, measured",
    ),
    Entry(
        "c5-relu-explosion",
        ("000",),
        "§4.3 (ReLU)",
        "ReLU can suffer activation explosion",
        "its upper bound is infinite",
        C5 + "relu",
        "output growth with ReLU at two initialisations",
    ),
    Entry(
        "c5-relu-overfitting",
        ("001", "004"),
        "001 §4 (why ReLU); 004 §3",
        "ReLU reduces over-fitting",
        "part of its outputs are exactly 0 (sparsity), which reduces the interdependence of parameters",
        C5 + "relu",
        "train–test gap of ReLU, tanh and a leaky ReLU",
        threshold=0.02,
        metric="train − test accuracy gap with 500 MNIST-1D examples, tanh − ReLU",
    ),
    Entry(
        "c5-leaky-slope-speed",
        ("000",),
        "§6 (how to use them)",
        "Setting leaky ReLU's slope to 0.02 instead of the usual 0.01 speeds up learning",
        None,
        C5 + "leaky_prelu",
        "slope 0.02 against 0.01",
        threshold=0.05,
        metric="relative reduction of the mean training loss over 10 epochs, (α 0.01 − α 0.02) / α 0.01",
    ),
    Entry(
        "c5-leaky-slope-one",
        ("000",),
        "§4.4 (leaky ReLU)",
        "α = 1 makes leaky ReLU linear and useless, so α is never set close to 1",
        None,
        C5 + "leaky_prelu",
        "leaky ReLU with slopes up to 1",
        threshold=0.1,
        metric="test accuracy on two circles, α = 0 − α = 1 (and α = 0.9 − α = 1 for 'close to 1')",
    ),
    Entry(
        "c5-stochastic-regularise",
        ("course",),
        "(003 §1.2–1.3 define RReLU and noisy ReLU only)",
        "The randomness of RReLU and noisy ReLU regularises: it raises test accuracy when a network over-fits",
        None,
        C5 + "rrelu_noisy",
        "RReLU and noisy ReLU on an over-fitting network",
        threshold=0.01,
        metric="test accuracy with 500 MNIST-1D examples, stochastic − deterministic counterpart",
    ),
    Entry(
        "c5-prelu-rrelu-gain",
        ("001",),
        "§4 (ReLU variants)",
        "PReLU and random ReLU improve training speed or accuracy on some data sets",
        None,
        C5 + "rrelu_noisy",
        "PReLU and RReLU against ReLU",
        threshold=0.01,
        metric="test accuracy with 500 MNIST-1D examples, variant − ReLU (speed: relative reduction of the "
        "mean training loss, threshold 0.05)",
    ),
    Entry(
        "c5-relu6-blowup",
        ("000",),
        "§4.5 (ReLU6)",
        "Capping at 6 prevents exploding gradients",
        "it stops activations from growing",
        C5 + "relu6",
        "ReLU and ReLU6 at a large learning rate, the gradient norm of every step",
        threshold=0.30103,  # log10(2): ReLU's largest gradient at least twice ReLU6's
        metric="largest gradient norm over 6 epochs of plain SGD at learning rate 1 on the digits, "
        "log10(ReLU) − log10(ReLU6), paired by seed",
    ),
    Entry(
        "c5-relu6-quantise",
        ("course",),
        "(MobileNet's reason; source 000 gives another)",
        "ReLU6's bounded range is what low-precision (quantised) inference needs",
        None,
        C5 + "relu6",
        "quantising ReLU and ReLU6 networks",
        threshold=0.01,
        metric="test accuracy with activations rounded to 2, 3 and 4 bits, ReLU6 on [0, 6] − ReLU on [0, max]",
    ),
    Entry(
        "c5-elu-mean",
        ("003", "004"),
        "003 §1.4; 004 §5",
        "ELU makes mean activations closer to zero than ReLU",
        None,
        C5 + "elu",
        "layer means of ELU and ReLU",
        threshold=0.05,
        metric="mean over hidden layers of |mean activation| after training, ReLU − ELU",
    ),
    Entry(
        "c5-elu-accuracy",
        ("003",),
        "§1.4 (ELUs)",
        "ELUs can obtain higher classification accuracy than ReLUs",
        None,
        C5 + "elu",
        "ELU against ReLU",
        threshold=0.01,
        metric="test accuracy after 10 epochs on MNIST-1D, ELU − ReLU",
    ),
    Entry(
        "c5-elu-noise",
        ("004",),
        "§5 (ELU)",
        "ELU is somewhat robust to noise",
        "it saturates softly for negative inputs",
        C5 + "elu",
        "accuracy under input noise, ELU against ReLU and leaky ReLU",
        threshold=0.02,
        metric="share of the above-chance test accuracy kept under Gaussian input noise σ = 0.5, ELU − ReLU",
    ),
    Entry(
        "c5-elu-faster",
        ("003", "004"),
        "003 §1.4; 004 §5",
        "ELU learns faster than ReLU",
        "its mean activations are closer to zero",
        C5 + "elu",
        "training-loss curves of ELU and ReLU on MNIST-1D, 3 depths, 2 optimisers",
        threshold=0.05,
        metric="relative reduction of the mean training loss over the epochs, (ReLU − ELU) / ReLU",
    ),
    Entry(
        "c5-elu-dying",
        ("004",),
        "§5 (ELU)",
        "ELU has outputs for negative inputs and so avoids dying neurons",
        None,
        C5 + "elu",
        "near-dead units in ELU and ReLU networks trained with plain SGD at rising learning rates",
        threshold=1e-3,
        metric="a unit counts as dead when its largest derivative over the training set is below the threshold",
    ),
    Entry(
        "c5-maxout-convex",
        ("004",),
        "§7 (maxout)",
        "Maxout is piecewise linear and can approximate any convex function",
        None,
        C5 + "maxout",
        "maxout fits of convex curves",
    ),
    Entry(
        "c5-maxout-dying",
        ("004",),
        "§7 (maxout)",
        "Maxout avoids the dying-ReLU problem to some extent",
        None,
        C5 + "maxout",
        "silent units and pieces in ReLU and maxout networks trained at rising learning rates",
    ),
    Entry(
        "c5-maxout-cost",
        ("004",),
        "§7 (maxout)",
        "Maxout needs more parameters and computation than a fixed activation",
        None,
        C5 + "maxout",
        "parameter count of a maxout layer",
    ),
    Entry(
        "c5-dying-lr",
        ("003",),
        "§3 (potential problems)",
        "Dying ReLU typically arises when the learning rate is too high; leaky ReLU mitigates it",
        None,
        C5 + "dying_relu",
        "dead units against learning rate",
        threshold=0.05,
        metric="fraction of dead ReLU units, learning rate 1 − learning rate 0.01 (paired by seed)",
    ),
    Entry(
        "c5-born-dead",
        ("004", "000"),
        "004 §3; 000 §4.3",
        "A ReLU unit whose input is negative for every example never learns again",
        None,
        C5 + "dying_relu",
        "dead units before and after training",
    ),
    Entry(
        "c5-bn-same-distribution",
        ("001",),
        "§4 (ReLU variants, closing remark)",
        "Current practice adds batch normalisation to keep the input of every layer as close as possible to the "
        "same distribution",
        None,
        C5 + "tanh_normalisation",
        "every layer's input during training, with and without batch normalisation",
        threshold=0.405,
        metric="spread over layers and epochs of ln(std) of the layers' inputs, without − with batch norm (ln 1.5)",
    ),
    # --- Chapter 6 (modern activations) ----------------------------------------------------------
    Entry(
        "c6-swish-better",
        ("000",),
        "§5.1 (Swish)",
        "Swish performs slightly better than ReLU",
        None,
        C6 + "swish",
        "SiLU against ReLU on MNIST-1D, 2/8/20 layers, two optimisers, 10 seeds",
        threshold=0.005,
        metric="final test accuracy, SiLU − ReLU, per depth and optimiser",
    ),
    Entry(
        "c6-swish-smooth",
        ("000",),
        "§5.1 (Swish)",
        "Swish converges more easily than ReLU",
        "it is smooth: it does not change abruptly at 0",
        C6 + "swish",
        "training curves of SiLU, ReLU and hard-swish (SiLU's piecewise-linear twin)",
        threshold=0.05,
        metric="relative reduction of the mean training loss over the epochs, (ReLU − SiLU) / ReLU",
    ),
    Entry(
        "c6-swish-expensive",
        ("000",),
        "§5.1 (Swish)",
        "Swish is computationally expensive",
        None,
        C6 + "hard_swish",
        "timing a dense layer step with SiLU and with ReLU",
        threshold=0.5,
        metric="time ratio SiLU / ReLU of a whole layer step, minus 1 (per paired repeat)",
    ),
    Entry(
        "c6-hardswish-cheaper",
        ("000",),
        "§5.2 (hard-swish)",
        "Hard-swish is cheaper to compute than Swish",
        "it replaces the exponential sigmoid with a piecewise-linear ReLU6",
        C6 + "hard_swish",
        "timing a dense layer step with hard-swish and with SiLU",
        threshold=0.1,
        metric="1 − time ratio hard-swish / SiLU of a whole layer step (per paired repeat)",
    ),
    Entry(
        "c6-leaky-relu6",
        ("000",),
        "§4.5 (ReLU6)",
        "Combining ReLU6 and leaky ReLU would be a good idea, fixing the known problems of both",
        None,
        C6 + "leaky_relu6",
        "leaky ReLU6 against ReLU6 and Leaky ReLU on MNIST-1D, 10 seeds",
        threshold=0.005,
        metric="final test accuracy, leaky ReLU6 − each parent, per depth and optimiser",
    ),
    Entry(
        "c6-leaky-relu6-fixes",
        ("000",),
        "§4.5 (ReLU6)",
        "Leaky ReLU6 fixes each parent's problem: ReLU6's dead units and leaky ReLU's exploding gradients",
        None,
        C6 + "leaky_relu6",
        "leaky ReLU6 where each parent's problem occurs: ch5-dying's and ch5-relu6's settings, 10 seeds",
        threshold=0.01,
        metric="dead fraction of hidden units, ReLU6 − leaky ReLU6, at each learning rate where ReLU6 loses at least "
        "the threshold on average; and log10 of the largest gradient norm, leaky ReLU − leaky ReLU6, at learning "
        "rate 1 (threshold log10 2 for that one); paired by seed, combined",
    ),
    # --- Chapter 7 (choosing) --------------------------------------------------------------------
    Entry(
        "c7-bn-order",
        ("000",),
        "§6 (how to use them)",
        "Batch normalisation should come before the activation (weights → BN → activation)",
        None,
        C7 + "batchnorm_order",
        "BN before against after the activation on MNIST-1D, 10 seeds",
        threshold=0.01,
        metric="final test accuracy, BN before − BN after, per depth and optimiser",
    ),
    Entry(
        "c7-defaults",
        ("000",),
        "§6 (how to use them)",
        "Framework default hyper-parameters of activations work best",
        None,
        C7 + "defaults",
        "Leaky ReLU slopes and ELU α against the defaults, 10 seeds",
        threshold=0.01,
        metric="final test accuracy, default − each other setting, per optimiser",
    ),
    Entry(
        "c7-tanh-sigmoid",
        ("000",),
        "§6 (how to use them)",
        "Tanh and sigmoid are generally not recommended in hidden layers",
        "they cause vanishing gradients",
        C7 + "defaults",
        "tanh and sigmoid against ReLU at 2/8/20 layers, and their per-layer gradients",
        threshold=0.01,
        metric="final test accuracy, ReLU − tanh (or sigmoid), per depth and optimiser",
    ),
    Entry(
        "c7-start-relu",
        ("000",),
        "§6 (how to use them)",
        "Start with ReLU; switch to leaky ReLU if learning stalls, at a small cost in time",
        None,
        C7 + "defaults",
        "ReLU against the best alternative per setting; timing Leaky ReLU",
        threshold=0.01,
        metric="final test accuracy, ReLU − the best other activation of the setting",
    ),
    Entry(
        "c7-after-weights",
        ("000",),
        "§6 (how to use them)",
        "Add the activation layer after each weight layer (CNN, RNN, LSTM or linear perceptron layers)",
        "without it, stacked weight layers stay linear (the source points back to its §2)",
        C7 + "defaults",
        "two float64 convolutions against one, with and without a ReLU between; torch's RNN and LSTM against "
        "their formulas; an LSTM on MNIST-1D with and without a ReLU after it (ch7-relu-after-lstm, 40 paired seeds)",
        threshold=0.01,
        metric="exact checks: max |error| of the single-convolution identity (≤ 1e-12), of the affine test of the "
        "pair with a ReLU (> 1e-6), and of the RNN/LSTM formulas with tanh inside (≤ 1e-12); the LSTM's final test "
        "accuracy, with the ReLU − without",
    ),
    Entry(
        "c7-switch-leaky",
        ("000",),
        "§6 (how to use them)",
        "When a ReLU network has stopped learning, switching to Leaky ReLU lets it learn again",
        None,
        C7 + "defaults",
        "stalled ReLU networks continued from the same weights with ReLU and with Leaky ReLU (slope 0.01)",
        threshold=0.1,
        metric="relative fall of the full training loss over the continuation, 1 − loss after / loss at the switch, "
        "Leaky ReLU − ReLU, paired over the stalled runs, per setting",
    ),
)

# Claims that two pages used to judge, merged into the entry on the right; the first page links to it.
MERGED = {
    "c5-sigmoid-biological": "c1-sigmoid-biology",
    "c5-relu-no-saturation": "c4-relu-gradient-flow",
    "c5-tanh-faster": "c4-tanh-faster",
    "c3-zigzag": "c4-centring-speed",
    "c4-swish-expensive": "c6-swish-expensive",
    "c4-hardswish-cheaper": "c6-hardswish-cheaper",
    "c7-leaky-002": "c5-leaky-slope-speed",
}

REGISTRY: dict[str, Entry] = {e.id: e for e in ENTRIES}
