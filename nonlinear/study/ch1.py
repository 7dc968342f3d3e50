"""Heavy experiments of chapter 1, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
