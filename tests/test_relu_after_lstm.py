"""The ch7-relu-after-lstm experiment's pairing: the two arms of a seed start from the same LSTM and differ only
by the ReLU between it and the linear layer (its stored runs are rerun in tests/test_study.py)."""

from __future__ import annotations

import pytest

from nonlinear.study import relu_after_lstm


@pytest.fixture(scope="module")
def task():
    return relu_after_lstm.task()


def test_the_arms_of_a_seed_start_from_the_same_lstm_and_differ_by_the_relu(task):
    before = {arm: relu_after_lstm.train(arm, 7, task, epochs=0) for arm in relu_after_lstm.ARMS}
    # the same initial LSTM: the same last hidden states, so the same share of negative ones ...
    assert before["none"]["negative_share"] == before["relu"]["negative_share"]
    assert 0.2 < before["none"]["negative_share"] < 0.8  # h_T = o ⊙ tanh(c) takes both signs
    # ... read differently: the ReLU zeroes that share before the linear layer
    assert before["none"]["test_loss"] != before["relu"]["test_loss"]
    assert before["none"]["loss_curve"].size == 0


def test_training_is_repeatable_and_records_every_epoch(task):
    first, again = (relu_after_lstm.train("relu", 3, task, epochs=2) for _ in range(2))
    assert first["loss_curve"].tolist() == again["loss_curve"].tolist() and len(first["loss_curve"]) == 2
    assert first["test_accuracy"] == again["test_accuracy"]


def test_an_unknown_arm_is_refused(task):
    with pytest.raises(ValueError, match="arm must be one of"):
        relu_after_lstm.train("gelu", 0, task)
