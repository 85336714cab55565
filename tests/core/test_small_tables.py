"""Small real tables (issue 20): a network on a few hundred rows trains long enough to learn something.

On a small table the validation slice holds a handful of rare rows, so its PR-AUC reaches 1.0 within an
epoch or two and then only ties. Early stopping that counted a tie as no progress restored the weights of
that first epoch (four optimizer updates) on most folds (bench/RESULTS.md section 15)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import log_loss

from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.techniques.catalogue import make_spec

UPDATES_FLOOR = 20  # optimizer updates behind the weights a network keeps, at the least


def breast_cancer_table(rare_rows: int = 24) -> pd.DataFrame:
    """scikit-learn's breast cancer table with `rare_rows` malignant rows kept (bench/small_tables.py)."""
    data = load_breast_cancer()
    random = np.random.default_rng(0)
    malignant = np.sort(random.choice(np.flatnonzero(data.target == 0), rare_rows, replace=False))
    keep = np.sort(np.concatenate([malignant, np.flatnonzero(data.target == 1)]))
    frame = pd.DataFrame(data.data[keep], columns=[f"x{i:02d}" for i in range(data.data.shape[1])])
    frame["label"] = np.where(data.target[keep] == 0, "malignant", "benign")
    return frame


def kept_epoch(history: dict, validation_labels: np.ndarray, validation_probabilities: np.ndarray) -> int:
    """The epoch whose weights the network kept: the one whose validation loss the kept weights give."""
    kept_loss = log_loss(validation_labels, validation_probabilities, labels=[0, 1])
    return int(np.argmin(np.abs(np.array(history["val_loss"]) - kept_loss)))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_kept_network_had_enough_updates_on_a_small_table(seed):
    frame = breast_cancer_table()
    settings = ModelSettings()
    comparison = run_comparison(frame, "label", [make_spec("baseline")], Protocol(seed=seed), settings)
    result = comparison.results[0]
    history, labels = result.histories[0], result.validation_labels[0]
    assert 1 <= labels.sum() <= 5  # the case at hand: a handful of rare validation rows
    fit_rows = round(len(frame) * (1 - Protocol().test_size)) - len(labels)
    steps = math.ceil(fit_rows / settings.batch_for(fit_rows))
    epoch = kept_epoch(history, labels, result.validation_probabilities[0])
    assert (epoch + 1) * steps >= UPDATES_FLOOR, (epoch, steps, history["val_pr_auc"], history["val_loss"])
