"""Heavy experiments of chapter 7, registered with :func:`nonlinear.study.experiment` (run by ``make results``)."""
