"""Heavy experiments of chapter 3, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
