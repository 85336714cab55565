"""Reference learners: scikit-learn models trained on the same folds and preprocessing as the networks.

They answer "is a network worth it on this data?" and are never the subject of the page: results
carry `reference=True`, and the recommendation never picks one. The registry names them through a
members stage (imbal_core.stages.members.ReferenceLearner) that calls one of these factories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from threadpoolctl import threadpool_limits

# One thread for the OpenMP and BLAS pools while a reference fits. HistGradientBoosting opens a short OpenMP
# parallel region per node and per boosting round; with a pool of one thread per core on a machine whose cores
# are busy (the dashboard's sessions, TensorFlow's own pools, other processes), every region waits at a barrier
# for a descheduled thread. bench/RESULTS.md section 14: 46.8 s of wall time (16.3 s of CPU, mostly spinning)
# for one 1,200-row fit with two threads against 1.2 s with one on the same loaded 2-core machine.
REFERENCE_THREADS = 1
THREAD_LIMITS_ENABLED = True  # bench/reference_threads.py turns it off to time the fit as it ran before


def create_logistic_regression(seed: int):
    """A fresh logistic regression (scikit-learn's defaults, enough iterations to converge)."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=seed)


def create_hist_gradient_boosting(seed: int):
    """A fresh HistGradientBoostingClassifier without its own early stopping."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Early stopping on its own internal slice would see other rows than the networks' validation slice.
    return HistGradientBoostingClassifier(early_stopping=False, max_iter=200, random_state=seed)


@contextmanager
def reference_threads() -> Iterator[None]:
    """Run the block with REFERENCE_THREADS threads in every OpenMP and BLAS pool (threadpoolctl), then restore."""
    if not THREAD_LIMITS_ENABLED:
        yield
        return
    with threadpool_limits(limits=REFERENCE_THREADS):
        yield


def reference_probabilities(model, features: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n_classes) probabilities, with zero columns for classes absent from the training rows."""
    probabilities = np.zeros((len(features), n_classes))
    probabilities[:, model.classes_] = model.predict_proba(features)
    return probabilities
