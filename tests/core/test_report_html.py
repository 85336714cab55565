"""The HTML report reads in the order a person needs (summary, metrics, operating points, charts, warnings,
settings), opens offline, escapes user text and stays small; the metric table leads with the right metrics."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser

import numpy as np
import plotly.graph_objects as go
import pytest

from imbal_core.decide.costs import MULTICLASS_NOT_SUPPORTED, Costs, default_costs
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.warnings import comparison_warnings
from imbal_core.present import charts, report_html
from imbal_core.present.result_names import NamedResult, name_results
from imbal_core.present.result_tables import (
    HIGHLIGHT_RULE,
    curve_class_index,
    metric_table,
    report_names,
    threshold_table,
)
from imbal_core.present.verdict_words import imbalance_verdict, protocol_words, severity
from imbal_core.run import evaluate, metrics
from imbal_core.techniques import catalogue
from tests.support.fakes import fake_comparison, fake_folds_result, fake_result

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
FRAUD_COSTS = Costs(false_alarm=5, miss=500, volume=10_000)
WHEN = datetime(2026, 1, 2, tzinfo=UTC)
SECTIONS = ("summary", "metrics", "operating-points", "charts", "confusion", "warnings", "dataset", "settings")


@pytest.fixture
def named():
    rng = np.random.default_rng(1)
    labels = np.array([0] * 180 + [1] * 20)
    good = np.clip(0.1 + 0.7 * labels + rng.normal(0, 0.15, len(labels)), 0.001, 0.999)
    weak = np.clip(0.3 + 0.2 * labels + rng.normal(0, 0.2, len(labels)), 0.001, 0.999)
    results = [fake_result("baseline", labels, weak), fake_result("smote", labels, good)]
    return report_names(fake_comparison(results, labels=("legit", HOSTILE)))


def scores(rng, labels, signal: float) -> np.ndarray:
    return np.clip(0.2 + signal * labels + rng.normal(0, 0.15, len(labels)), 0.0, 1.0)


def folds_comparison(
    signals: dict[str, float] | None = None, folds: int = 5, rows: int = 400, labels=("legit", "fraud"), seed: int = 0
) -> evaluate.Comparison:
    """A K-fold comparison with validation rows (so operating points exist); 10% minority rows."""
    signals = signals or {"baseline": 0.25, "class_weight": 0.45, "smote": 0.3}
    rng = np.random.default_rng(seed)
    codes = (np.arange(rows) % 10 == 0).astype(np.int64)
    results = []
    for technique_id, signal in signals.items():
        per_fold = [(codes, scores(rng, codes, signal), codes, scores(rng, codes, signal)) for _ in range(folds)]
        results.append(fake_folds_result(technique_id, per_fold))
    comparison = fake_comparison(results, labels=labels)
    comparison.protocol = evaluate.Protocol(mode="cv", folds=folds)
    comparison.dataset = {
        "rows": rows * folds,
        "features": 4,
        "target": "is_fraud",
        "class_counts": {labels[0]: int((codes == 0).sum()) * folds, labels[1]: int(codes.sum()) * folds},
        "minority_class": labels[1],
        "imbalance_ratio": 9.0,
    }
    return comparison


def multiclass_comparison() -> evaluate.Comparison:
    rng = np.random.default_rng(4)
    codes = np.repeat([0, 1, 2], [150, 40, 10])
    results = []
    for technique_id, signal in (("baseline", 1.0), ("random_over", 2.0)):
        logits = rng.normal(0, 1, (len(codes), 3))
        logits[np.arange(len(codes)), codes] += signal
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        result = evaluate.TechniqueResult(
            spec=catalogue.make_spec(technique_id),
            fold_metrics=[metrics.compute_metrics(codes, probabilities)],
            test_labels=[codes],
            test_probabilities=[probabilities],
            histories=[{"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]}],
        )
        results.append(result)
    comparison = fake_comparison(results, labels=("a", "b", "c"))
    comparison.dataset = {
        "rows": 200,
        "target": "digit",
        "class_counts": {"a": 150, "b": 40, "c": 10},
        "minority_class": "c",
        "imbalance_ratio": 15.0,
    }
    return comparison


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


def section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}">')
    return page[start : page.index("</section>", start)]


class _Tables(HTMLParser):
    """Every table's rows as lists of cell texts, keyed by the table's id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id", f"table{len(self.tables)}"), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.current[-1].append("".join(self.cell).replace("\xa0", " ").strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(page: str, table_id: str) -> dict[str, dict[str, str]]:
    """A Styler table as {row name: {column header: cell text}}."""
    parser = _Tables()
    parser.feed(page)
    header, *rows = parser.tables[f"T_{table_id}"]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


def headers(page: str, table_id: str) -> list[str]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables[f"T_{table_id}"][0][1:]


# --- words ---------------------------------------------------------------------------------------


def test_verdict_in_plain_words():
    verdict = imbalance_verdict(profile_dict())
    assert verdict == (
        "1 in 40 rows is 'fraud': a model that always answers 'legit' scores 97.5% accuracy and catches none of "
        "the 'fraud' rows."
    )


def test_verdict_for_multiclass_names_the_rarest_class():
    profile = {"class_counts": {"1": 500, "2": 400, "9": 10}, "minority_class": "9", "majority_class": "1"}
    verdict = imbalance_verdict(profile)
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
    assert severity(ratio) == word


def test_protocol_in_words():
    comparison = folds_comparison(folds=5, rows=50)
    assert protocol_words(comparison) == "5-fold stratified CV, 1 repeat, seed 0"
    comparison.protocol = evaluate.Protocol(mode="quick", test_size=0.25, seed=3)
    assert protocol_words(comparison) == "one stratified hold-out split (25% of rows tested), seed 3"


# --- the dashboard's tables ------------------------------------------------------------------------


def test_metric_table_leads_with_pr_auc_and_ends_with_accuracy(named):
    table_ = metric_table(named)
    metric_columns = list(table_.means.columns)
    assert metric_columns[:4] == ["PR-AUC", "Recall", "F1", "Precision"]
    assert metric_columns[-1] == "Accuracy"
    assert list(table_.display.index) == ["Baseline", "SMOTE"]


def test_metric_table_highlights_the_best_but_never_accuracy(named):
    table_ = metric_table(named)
    assert table_.best.loc["SMOTE", "PR-AUC"] and not table_.best.loc["Baseline", "PR-AUC"]
    assert not table_.best["Accuracy"].any()
    # Brier: lower is better.
    best_brier = table_.means["Brier score ↓"].idxmin()
    assert table_.best.loc[best_brier, "Brier score ↓"]


def test_metric_table_shows_std_only_with_several_folds(named):
    table_ = metric_table(named)
    assert "±" not in table_.display.loc["SMOTE", "PR-AUC"]
    result = named[1].result
    result.fold_metrics.append(dict(result.fold_metrics[0], pr_auc=result.fold_metrics[0]["pr_auc"] - 0.1))
    table_ = metric_table(named)
    assert re.fullmatch(r"\d\.\d{3} ± 0\.050", table_.display.loc["SMOTE", "PR-AUC"])


def test_metric_table_at_a_threshold_stamps_every_threshold_metric_and_recomputes_it(named):
    table_ = metric_table(named, 0.3, details=False)
    columns = list(table_.display.columns)
    assert columns == [
        "PR-AUC",
        "Recall @0.300",
        "F1 @0.300",
        "Precision @0.300",
        "ROC-AUC",
        "MCC @0.300",
        "Balanced accuracy @0.300",
        "G-mean @0.300",
        "Brier score ↓",
        "Accuracy @0.300",
    ]
    at = named[0].result.metrics_at(0.3)
    assert table_.display.loc["Baseline", "Recall @0.300"] == f"{at['recall']:.3f}"
    assert at["recall"] != named[0].result.metrics["recall"]  # the threshold really changed the value


def test_best_is_marked_only_within_one_run():
    """A run with other settings never takes "best" away from a run it cannot be compared with."""
    weak, strong = folds_comparison({"baseline": 0.1, "smote": 0.2}), folds_comparison({"baseline": 0.5})
    strong.protocol = evaluate.Protocol(mode="quick")
    named = report_names(weak) + [NamedResult("Baseline (run 2)", strong.results[0], strong)]
    table_ = metric_table(named)
    assert table_.best.loc["SMOTE", "PR-AUC"]  # best of its own run, though the other run scores higher
    assert not table_.best.loc["Baseline (run 2)", "PR-AUC"]  # alone in its run: nothing to beat


def test_threshold_table_changes_with_the_threshold(named):
    low = threshold_table(named, 0.2)
    high = threshold_table(named, 0.8)
    assert (low["Recall"] >= high["Recall"]).all()
    assert (low["Recall"] != high["Recall"]).any()
    counts = low[["Caught (TP)", "False alarms (FP)", "Missed (FN)", "Correct rejections (TN)"]].sum(axis=1)
    assert (counts == 200).all()
    assert low.loc["SMOTE", "Tuned threshold"] == pytest.approx(0.4)


def test_curve_class_is_the_minority(named):
    comparison = named[0].comparison
    assert curve_class_index(comparison) == 1
    multiclass = fake_comparison([], labels=("0", "1", "9"))
    multiclass.dataset["minority_class"] = "9"
    assert curve_class_index(multiclass) == 2
    assert math.isclose(curve_class_index(multiclass, {"minority_class": "1"}), 1)


# --- the report: order ------------------------------------------------------------------------------


def test_report_opens_with_the_summary_and_ends_with_the_settings():
    page = report_html.comparison_report(folds_comparison(), "data.csv", costs=FRAUD_COSTS, generated_at=WHEN)
    positions = [page.index(f'<section id="{name}">') for name in SECTIONS]
    assert positions == sorted(positions), "sections out of order"
    charts_at = [match.start() for match in re.finditer(r'class="plotly-graph-div"', page)]
    assert len(charts_at) >= 10
    assert page.index('<section id="summary">') < charts_at[0]
    assert page.index("<table") > page.index('<section id="summary">')  # no table before the summary
    assert page.index('<section id="settings">') > charts_at[-1]
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    assert unescape(meta) == (
        "Dataset data.csv · 2,000 rows · target is_fraud · 5-fold stratified CV, 1 repeat, seed 0 · "
        "3 technique result(s) · generated 2026-01-02 00:00 UTC"
    )


def test_summary_gives_the_recommendation_its_checks_and_the_warnings_that_qualify_it():
    comparison = folds_comparison({"baseline": 0.3, "class_weight": 0.31})  # no better than the baseline
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    summary = unescape(section(page, "summary"))
    points = operating_points(comparison, FRAUD_COSTS)
    recommendation = recommend(comparison, points, FRAUD_COSTS)
    assert recommendation.text in summary
    assert all(check in summary for check in recommendation.checks)
    warnings = comparison_warnings(comparison)
    assert "no_better_than_baseline" in [item.code for item in warnings]
    for item in warnings:
        if item.technique in (None, recommendation.technique):
            assert item.code in summary and item.message in summary
    assert "10,000 cases a day" in summary
    # Every warning is also listed in the warnings section.
    listed = unescape(section(page, "warnings"))
    assert all(item.message in listed for item in warnings)


def test_a_techniques_own_warning_sits_beside_the_metric_table():
    comparison = folds_comparison({"baseline": 0.4, "smote": 0.0})  # SMOTE's scores are pure noise
    warnings = comparison_warnings(comparison)
    chance = [item for item in warnings if item.code == "chance_level"]
    assert [item.technique for item in chance] == ["smote"]
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    metric_section = unescape(section(page, "metrics"))
    assert "chance_level" in metric_section and chance[0].message in metric_section
    assert chance[0].message in unescape(section(page, "warnings"))


def test_costs_default_to_the_comparisons_own():
    comparison = folds_comparison()
    comparison.costs = Costs(false_alarm=2, miss=300, volume=777, period="week")
    summary = unescape(section(report_html.comparison_report(comparison, "data.csv"), "summary"))
    assert "777 cases a week" in summary and "a miss 300" in summary
    comparison.costs = None  # then the generic defaults
    generic = default_costs(None)[0]
    summary = unescape(section(report_html.comparison_report(comparison, "data.csv"), "summary"))
    assert f"{generic.volume:,.0f} cases a {generic.period}" in summary


def test_multiclass_summary_says_what_is_unsupported_and_names_the_best_pr_auc():
    comparison = multiclass_comparison()
    page = report_html.comparison_report(comparison, "digits.csv")
    summary = unescape(section(page, "summary"))
    assert MULTICLASS_NOT_SUPPORTED in summary
    best = max(comparison.results, key=lambda result: result.metrics["pr_auc"])
    assert f"Highest PR-AUC (macro average over classes): Random oversampling, {best.metrics['pr_auc']:.3f}" in summary
    assert '<table id="T_operating">' not in page
    stamped = headers(page, "metrics")
    assert "F1 (macro) @argmax" in stamped and "PR-AUC (macro)" in stamped


# --- the report: tables ---------------------------------------------------------------------------


def test_metric_table_is_styler_html_stamped_with_the_threshold_with_display_names():
    comparison = folds_comparison()
    page = report_html.comparison_report(comparison, "data.csv", threshold=0.3, costs=FRAUD_COSTS)
    metric_section = section(page, "metrics")
    assert '<table id="T_metrics">' in metric_section  # rendered by pandas' Styler
    columns = headers(page, "metrics")
    assert columns[0] == "PR-AUC" and columns[-1] == "Accuracy @0.300"
    assert "F1 @0.300" in columns and "Recall @0.300" in columns and "ROC-AUC" in columns
    assert not any(column.startswith(("PR-AUC @", "ROC-AUC @", "Brier score @")) for column in columns)
    rows = table(page, "metrics")
    assert list(rows) == ["Baseline", "Class weights", "SMOTE"]  # the names people read, not ids
    result = comparison.results[1]
    at, spread = result.metrics_at(0.3), result.metrics_std_at(0.3)
    assert rows["Class weights"]["F1 @0.300"] == f"{at['f1']:.3f} ± {spread['f1']:.3f}"
    # Accuracy is last and muted; the best network per column is highlighted.
    assert re.search(r"#T_metrics_level0_col9 \{\s*color: #7b8794", metric_section)
    best_column = columns.index("PR-AUC")
    best_row = max(range(3), key=lambda row: comparison.results[row].metrics["pr_auc"])
    cell = re.search(rf'<td id="T_metrics_row{best_row}_col{best_column}" class="([^"]*)"', metric_section)
    assert "best" in cell.group(1).split()
    assert ">class_weight<" not in metric_section


@pytest.mark.skipif("logistic_regression" not in catalogue.REGISTRY, reason="reference learners not registered")
def test_reference_learners_are_marked_and_never_highlighted():
    comparison = folds_comparison({"baseline": 0.2, "smote": 0.25, "logistic_regression": 0.6})
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    rows = table(page, "metrics")
    reference = next(name for name in rows if "(reference)" in name)
    metric_section = section(page, "metrics")
    row = list(rows).index(reference)
    reference_cells = re.findall(rf'<td id="T_metrics_row{row}_col\d+" class="([^"]*)"', metric_section)
    assert reference_cells and all("best" not in classes.split() for classes in reference_cells)
    assert all("reference" in classes.split() for classes in reference_cells)
    smote = list(rows).index("SMOTE")
    assert re.search(rf'<td id="T_metrics_row{smote}_col0" class="[^"]*best', metric_section)
    assert reference in table(page, "operating")


def test_operating_point_table_matches_the_engine_and_says_how_thresholds_were_chosen():
    comparison = folds_comparison()
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    operating = unescape(section(page, "operating-points"))
    assert "on the validation rows of all folds together only" in operating
    assert "measured at that one threshold on the test rows of all" in operating
    rows = table(page, "operating")
    points = operating_points(comparison, FRAUD_COSTS)
    assert len(rows) == len(points) == 3
    for point in points:
        row = rows[point.name]
        assert row["Threshold"] == f"{point.threshold:.3f} ± {point.threshold_std:.3f}"
        assert row["Cost per day"].startswith(report_html._amount(point.cost_per_period) + " ± ")
        assert row["Recall"] == f"{point.recall:.3f} ± {point.std['recall']:.3f}"
        for column in ("Expected cost / 1,000 cases", "Alerts per day", "Caught per day", "Missed per day"):
            assert column in row
    # The expected-cost chart: one line per technique, each own threshold marked.
    assert "Expected cost against the threshold" in operating
    recommended = recommend(comparison, points, FRAUD_COSTS)
    assert f"Highlighted: the recommended technique, {recommended.name}." in operating


def test_expected_cost_figure_draws_a_line_and_a_marker_per_technique():
    curve = {"threshold": [0.0, 0.5, 1.0], "expected_cost_per_1000": [900.0, 100.0, 50_000.0]}
    figure = charts.expected_cost_figure({"A": curve, "B": curve}, {"A": (0.5, 100.0)})
    lines = [trace for trace in figure.data if trace.mode == "lines"]
    markers = [trace for trace in figure.data if trace.mode == "markers"]
    assert [trace.name for trace in lines] == ["A", "B"]
    assert len(markers) == 1 and markers[0].x == (0.5,) and markers[0].y == (100.0,)
    # The y axis stops near the cheaper extreme (900), not at the 50,000 of flagging nothing.
    low, high = figure.layout.yaxis.range
    assert low < 100 and 900 < high < 2_000


def test_settings_appendix_is_readable_tables_not_json():
    comparison = folds_comparison({"baseline": 0.2, "smote": 0.3})
    comparison.results[1].spec = catalogue.make_spec("smote", {"k_neighbors": 3})
    settings = section(report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS), "settings")
    assert '"mode"' not in settings and "<pre" not in settings and "{" not in re.sub(r"<style.*?</style>", "", settings)
    for table_id in ("T_protocol", "T_model", "T_techniques", "T_costs"):
        assert f'<table id="{table_id}">' in settings
    text = unescape(settings)
    assert "k_neighbors = 3" in text and ">smote<" in text  # parameters and ids for whoever re-runs it
    assert "SMOTE (k_neighbors=3)" in text
    assert "Cost of a miss" in text and ">500<" in text


def test_failed_techniques_are_named_with_their_reason():
    comparison = folds_comparison()
    comparison.results[0].failed = "Training failed: the loss became NaN (try a lower learning rate)."
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    assert "Baseline: Failed: Training failed: the loss became NaN" in unescape(section(page, "metrics"))
    assert "Baseline" not in table(page, "operating")


# --- the report: offline, escaped, small --------------------------------------------------------------


def test_report_is_self_contained_and_escapes_user_text():
    comparison = folds_comparison(labels=("legit", HOSTILE))
    comparison.dataset["target"] = HOSTILE
    comparison.results[0].notes.append(f"note {HOSTILE}")
    comparison.notes.append(f"data note {HOSTILE}")
    profile = dict(comparison.dataset, warnings=[f"column {HOSTILE} dropped"], majority_class="legit")
    page = report_html.comparison_report(
        comparison, f"upload {HOSTILE}.csv", threshold=0.3, costs=FRAUD_COSTS, profile=profile, generated_at=WHEN
    )
    assert page.startswith("<!DOCTYPE html>")
    assert HOSTILE not in page
    assert f"<title>Imbalance Lab report: upload {ESCAPED}.csv</title>" in page
    assert f"note {ESCAPED}" in section(page, "metrics")
    warnings = section(page, "warnings")
    assert f"column {ESCAPED} dropped" in warnings and f"data note {ESCAPED}" in warnings
    assert ESCAPED in section(page, "dataset")  # the class table and the target
    # plotly.js is inline once, before any chart; no script is loaded from the network.
    assert not re.search(r"<script[^>]+src=", page)
    assert page.count("window.PlotlyConfig") == 1
    assert page.index("window.PlotlyConfig") < page.index('class="plotly-graph-div"')
    assert len(page) > 1_000_000


def test_long_curves_are_thinned_to_what_a_screen_shows():
    x = np.linspace(0, 1, 20_000)
    figure = go.Figure(go.Scatter(x=x, y=x**2))
    report_html._thin_curves(figure)
    kept_x, kept_y = np.asarray(figure.data[0].x), np.asarray(figure.data[0].y)
    assert 100 < len(kept_x) < 1_000
    assert kept_x[0] == 0 and kept_x[-1] == 1  # the ends stay
    assert np.abs(np.interp(x, kept_x, kept_y) - x**2).max() < 0.005  # the shape stays
    short = go.Figure(go.Scatter(x=[0, 0.5, 1], y=[0, 1, 0]))
    report_html._thin_curves(short)
    assert short.data[0].x == (0, 0.5, 1)


def test_five_technique_report_stays_small():
    """Five techniques, five folds of 4,000 rows: besides plotly.js, the report's own weight stays small."""
    from plotly.offline import get_plotlyjs

    signals = {"baseline": 0.2, "class_weight": 0.3, "focal_loss": 0.25, "smote": 0.35, "random_under": 0.3}
    comparison = folds_comparison(signals, folds=5, rows=4_000)
    page = report_html.comparison_report(comparison, "data.csv", costs=FRAUD_COSTS)
    own = len(page.encode("utf-8")) - len(get_plotlyjs().encode("utf-8"))
    assert own < 400_000, f"{own:,} bytes besides plotly.js"


@pytest.mark.parametrize(
    ("signals", "confident"),
    [({"baseline": 0.05, "class_weight": 0.9}, True), ({"baseline": 0.3, "class_weight": 0.3}, False)],
    ids=["clear winner", "indistinguishable"],
)
def test_the_summary_is_green_only_when_the_engine_is_confident(signals, confident):
    """A neutral box for a recommendation the data cannot separate from the runner-up, as on the dashboard."""
    from imbal_core.decide.costs import Costs
    from imbal_core.decide.operating_points import operating_points
    from imbal_core.decide.recommendation import recommend

    comparison = folds_comparison(signals)
    costs = Costs()
    assert recommend(comparison, operating_points(comparison, costs), costs).confident is confident
    page = report_html.comparison_report(comparison, "data.csv", costs=costs)
    box = re.search(r'<p class="(recommendation[^"]*)">', page).group(1)
    assert box == ("recommendation" if confident else "recommendation unsure")


# --- figures that agree with each other (issue 19 items 8 and 13) -----------------------------------


def test_the_reports_bars_are_drawn_at_the_metric_tables_threshold():
    comparison = folds_comparison()
    page = report_html.comparison_report(comparison, "data.csv", threshold=0.3, costs=FRAUD_COSTS)
    drawn = section(page, "charts")
    result = comparison.results[1]
    at, at_half = result.metrics_at(0.3)["f1"], result.metrics["f1"]
    assert at != at_half
    assert json.dumps(at) in drawn and json.dumps(at_half) not in drawn  # the table's F1 @0.300, not 0.5's
    assert "threshold 0.300" in drawn and "std over 5 test folds" in drawn


def test_one_test_split_claims_no_fold_error_bars(named):
    """A quick run has one test split: no error bars, and no words about folds (report and Present)."""
    figure = charts.metric_bars(named)
    title = figure.layout.title.text
    assert "folds" not in title and "one test split, so no error bars" in title
    assert all(not trace.error_y.visible for trace in figure.data)
    page = report_html.comparison_report(named[0].comparison, "data.csv", costs=FRAUD_COSTS)
    assert "std over folds" not in page and "1 std over" not in page


def test_a_threshold_reads_the_same_in_every_part_of_the_report():
    """The slider moves in steps of 0.001: 0.613 is shown as 0.613 everywhere, never rounded to 0.61."""
    page = report_html.comparison_report(folds_comparison(), "data.csv", threshold=0.613, costs=FRAUD_COSTS)
    assert "Metrics at threshold 0.613" in page and "@0.613" in page
    assert "Confusion matrices at threshold 0.613" in page
    assert not re.search(r"0\.61(?!3)", unescape(re.sub(r"<script.*?</script>", "", page, flags=re.S)))


@pytest.mark.skipif("logistic_regression" not in catalogue.REGISTRY, reason="reference learners not registered")
def test_reference_rows_are_named_as_references_everywhere_and_in_the_csv():
    from imbal_core.present.report import metrics_table

    comparison = folds_comparison({"baseline": 0.2, "logistic_regression": 0.6})
    named = name_results([comparison])
    assert [entry.name for entry in named] == ["Baseline", "Logistic regression (reference)"]
    table_ = metric_table(named)
    assert table_.references == ("Logistic regression (reference)",)
    assert not table_.best.loc["Logistic regression (reference)"].any()
    assert list(metrics_table(comparison)["reference"]) == [False, True]
    assert "never highlighted, even where they score higher" in HIGHLIGHT_RULE
