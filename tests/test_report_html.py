"""The HTML report opens offline and escapes user text; the metric table leads with the right metrics."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import numpy as np
import pytest

from imbal_core import charts, report_html
from tests.fakes import fake_comparison, fake_result

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def named():
    rng = np.random.default_rng(1)
    labels = np.array([0] * 180 + [1] * 20)
    good = np.clip(0.1 + 0.7 * labels + rng.normal(0, 0.15, len(labels)), 0.001, 0.999)
    weak = np.clip(0.3 + 0.2 * labels + rng.normal(0, 0.2, len(labels)), 0.001, 0.999)
    results = [fake_result("baseline", labels, weak), fake_result("smote", labels, good)]
    return charts.name_results([fake_comparison(results, labels=("legit", HOSTILE))])


def profile_dict(minority: str = "fraud") -> dict:
    return {
        "rows": 1000,
        "features": 5,
        "target": HOSTILE,
        "class_counts": {"legit": 975, minority: 25},
        "minority_class": minority,
        "majority_class": "legit",
        "imbalance_ratio": 39.0,
        "warnings": [f"column {HOSTILE} dropped"],
    }


def test_verdict_in_plain_words():
    verdict = report_html.imbalance_verdict(profile_dict())
    assert verdict == (
        "1 in 40 rows is 'fraud': a model that always answers 'legit' scores 97.5% accuracy and catches none of "
        "the 'fraud' rows."
    )


def test_verdict_for_multiclass_names_the_rarest_class():
    profile = {"class_counts": {"1": 500, "2": 400, "9": 10}, "minority_class": "9", "majority_class": "1"}
    verdict = report_html.imbalance_verdict(profile)
    assert verdict.startswith("The rarest class, '9', is 1 in 91 rows")
    assert "54.9% accuracy" in verdict and "other 2 classes" in verdict


@pytest.mark.parametrize(
    ("ratio", "word"),
    [
        (1.2, "balanced"),
        (3, "mildly imbalanced"),
        (10, "imbalanced"),
        (50, "strongly imbalanced"),
        (500, "extremely imbalanced"),
    ],
)
def test_severity_words(ratio, word):
    assert report_html.severity(ratio) == word


def test_metric_table_leads_with_pr_auc_and_ends_with_accuracy(named):
    table = report_html.metric_table(named)
    metric_columns = list(table.means.columns)
    assert metric_columns[:4] == ["PR-AUC", "Recall", "F1", "Precision"]
    assert metric_columns[-1] == "Accuracy"
    assert list(table.display.index) == ["baseline", "smote"]


def test_metric_table_highlights_the_best_but_never_accuracy(named):
    table = report_html.metric_table(named)
    assert table.best.loc["smote", "PR-AUC"] and not table.best.loc["baseline", "PR-AUC"]
    assert not table.best["Accuracy"].any()
    # Brier: lower is better.
    best_brier = table.means["Brier score ↓"].idxmin()
    assert table.best.loc[best_brier, "Brier score ↓"]


def test_metric_table_shows_std_only_with_several_folds(named):
    table = report_html.metric_table(named)
    assert "±" not in table.display.loc["smote", "PR-AUC"]
    result = named[1].result
    result.fold_metrics.append(dict(result.fold_metrics[0], pr_auc=result.fold_metrics[0]["pr_auc"] - 0.1))
    table = report_html.metric_table(named)
    assert re.fullmatch(r"\d\.\d{3} ± 0\.050", table.display.loc["smote", "PR-AUC"])


def test_threshold_table_changes_with_the_threshold(named):
    low = report_html.threshold_table(named, 0.2)
    high = report_html.threshold_table(named, 0.8)
    assert (low["Recall"] >= high["Recall"]).all()
    assert (low["Recall"] != high["Recall"]).any()
    counts = low[["Caught (TP)", "False alarms (FP)", "Missed (FN)", "Correct rejections (TN)"]].sum(axis=1)
    assert (counts == 200).all()
    assert low.loc["smote", "Tuned threshold"] == pytest.approx(0.4)


def test_report_is_self_contained_and_escapes_user_text(named):
    page = report_html.build_report(
        f"upload {HOSTILE}.csv", profile_dict(), named, threshold=0.3, generated_at=datetime(2026, 1, 2, tzinfo=UTC)
    )
    assert page.startswith("<!DOCTYPE html>")
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # plotly.js is inline (megabytes of it), and no script is loaded from the network.
    assert len(page) > 1_000_000
    assert not re.search(r"<script[^>]+src=", page)
    for section in ("Dataset", "Settings", "Metrics", "Charts", "At threshold 0.30"):
        assert section in page
    assert "baseline" in page and "smote" in page
    assert page.count("Plotly.newPlot") >= 6


def test_report_embeds_plotly_only_in_the_first_chart(named):
    page = report_html.build_report("data.csv", profile_dict(), named)
    bundle_marker = "window.PlotlyConfig"
    assert page.count(bundle_marker) == 1
    assert page.index(bundle_marker) < page.index("Plotly.newPlot")


def test_report_lists_failed_techniques_in_the_table(named):
    named[0].result.failed = "Training failed: the loss became NaN (try a lower learning rate)."
    page = report_html.build_report("data.csv", profile_dict(), named)
    assert "the loss became NaN" in page


def test_curve_class_is_the_minority(named):
    comparison = named[0].comparison
    assert report_html.curve_class_index(comparison) == 1
    multiclass = fake_comparison([], labels=("0", "1", "9"))
    multiclass.dataset["minority_class"] = "9"
    assert report_html.curve_class_index(multiclass) == 2
    assert math.isclose(report_html.curve_class_index(multiclass, {"minority_class": "1"}), 1)
