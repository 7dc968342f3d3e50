"""Heavy experiments of chapter 4, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
