"""Heavy experiments of chapter 6, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
