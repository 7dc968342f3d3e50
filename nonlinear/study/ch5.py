"""Heavy experiments of chapter 5, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
