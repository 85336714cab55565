"""Issue 20 item 4: when a reference learner beats every network beyond the uncertainty, the recommendation
says so in one sentence (references stay outside its candidates). Trains tiny networks on a small table made
for trees: the rare class lives in narrow stripes of one feature, which a gradient-boosted tree cuts exactly
and a small network in a few epochs does not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imbal_core.decide.costs import Costs
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.techniques.catalogue import make_spec

pytestmark = pytest.mark.slow


def striped_table(rows: int = 1500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((rows, 4)), columns=["x1", "x2", "x3", "x4"])
    stripes = (np.floor(frame["x1"] * 12) % 2 == 0) & (frame["x2"] > 0.6)
    frame["label"] = np.where(stripes & (rng.random(rows) < 0.5), "rare", "common")
    return frame


def test_the_recommendation_says_plainly_when_gradient_boosting_beats_every_network():
    specs = [make_spec(technique_id) for technique_id in ("baseline", "class_weight", "hist_gradient_boosting")]
    settings = ModelSettings(hidden_units=(16,), max_epochs=5, patience=2)
    comparison = run_comparison(striped_table(), "label", specs, Protocol(mode="cv", folds=3, seed=0), settings)
    costs = Costs(false_alarm=1, miss=10)
    points = operating_points(comparison, costs)
    recommendation = recommend(comparison, points, costs)
    boosting, networks = points[2], points[:2]
    assert boosting.reference and recommendation.technique in {"baseline", "class_weight"}  # never recommended
    assert all(boosting.expected_cost_per_1000 < point.expected_cost_per_1000 for point in networks)
    sentences = [part for part in recommendation.text.split(". ") if "Gradient boosting" in part]
    assert len(sentences) == 1, recommendation.text
    plain_words = ("beats every network here: it costs less", "ranks cases better than every network")
    assert any(words in sentences[0] for words in plain_words), sentences[0]
