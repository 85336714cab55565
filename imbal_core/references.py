"""Reference learners: scikit-learn models trained on the same folds and preprocessing as the networks.

They answer "is a network worth it on this data?" and are never the subject of the page: results
carry `reference=True`, and the recommendation never picks one. The registry names them through a
members stage (imbal_core.stages.members.ReferenceLearner) that calls one of these factories.
"""

from __future__ import annotations

import numpy as np


def create_logistic_regression(seed: int):
    """A fresh logistic regression (scikit-learn's defaults, enough iterations to converge)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=seed)


def create_hist_gradient_boosting(seed: int):
    """A fresh HistGradientBoostingClassifier without its own early stopping."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Early stopping on its own internal slice would see other rows than the networks' validation slice.
    return HistGradientBoostingClassifier(early_stopping=False, max_iter=200, random_state=seed)


def reference_probabilities(model, features: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n_classes) probabilities, with zero columns for classes absent from the training rows."""
    probabilities = np.zeros((len(features), n_classes))
    probabilities[:, model.classes_] = model.predict_proba(features)
    return probabilities
