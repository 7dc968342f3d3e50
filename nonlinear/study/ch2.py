"""Heavy experiments of chapter 2, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
