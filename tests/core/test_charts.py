"""Chart builders: the right traces, counts and markers from known inputs; no training needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imbal_core.present import charts
from imbal_core.present.result_names import name_results
from imbal_core.run import evaluate
from imbal_core.techniques import catalogue
from tests.support.fakes import fake_comparison, fake_result


@pytest.fixture
def binary_named():
    rng = np.random.default_rng(0)
    labels = np.array([0] * 180 + [1] * 20)
    good = np.clip(0.1 + 0.7 * labels + rng.normal(0, 0.15, len(labels)), 0.001, 0.999)
    weak = np.clip(0.3 + 0.2 * labels + rng.normal(0, 0.2, len(labels)), 0.001, 0.999)
    comparison = fake_comparison([fake_result("baseline", labels, weak), fake_result("smote", labels, good)])
    return name_results([comparison])


def test_class_histogram_shows_counts_and_percentages():
    figure = charts.class_histogram({"legit": 990, "fraud": 10}, "Rows per class", "fraud")
    bar = figure.data[0]
    assert list(bar.x) == ["legit", "fraud"]
    assert list(bar.y) == [990, 10]
    assert bar.text == ("990 (99.0%)", "10 (1.0%)")
    assert bar.marker.color[1] == charts.MINORITY_COLOUR != bar.marker.color[0]
    assert figure.layout.title.text == "Rows per class"


def test_feature_distribution_scales_each_class_to_100_percent():
    values = pd.Series([1.0] * 90 + [5.0] * 10)
    labels = pd.Series(["a"] * 90 + ["b"] * 10)
    figure = charts.feature_distribution(values, labels, "x")
    totals = {trace.name: float(np.sum(trace.y)) for trace in figure.data}
    assert totals == pytest.approx({"a": 100.0, "b": 100.0})


def test_feature_distribution_of_a_category_column():
    values = pd.Series(["red", "blue"] * 50)
    labels = pd.Series(["a"] * 60 + ["b"] * 40)
    figure = charts.feature_distribution(values, labels, "colour")
    assert {trace.name for trace in figure.data} == {"a", "b"}
    assert sum(figure.data[0].y) == pytest.approx(100.0)


def test_name_results_gives_repeated_labels_the_run_number(binary_named):
    comparison = binary_named[0].comparison
    named = name_results([comparison, comparison])
    assert [entry.name for entry in named] == ["Baseline", "SMOTE", "Baseline (run 2)", "SMOTE (run 2)"]


def test_roc_and_pr_figures_have_one_curve_per_technique_and_reference_lines(binary_named):
    roc = charts.roc_figure(binary_named, 1, "fraud")
    assert [trace.name for trace in roc.data][0] == "chance"
    assert any(trace.name.startswith("SMOTE (AUC") for trace in roc.data)
    pr = charts.pr_figure(binary_named, 1, "fraud")
    no_skill = [trace for trace in pr.data if trace.name.startswith("no skill")]
    assert len(no_skill) == 1 and no_skill[0].y[0] == pytest.approx(0.1)
    assert len(pr.data) == 3


def test_better_scores_give_a_higher_auc_in_the_legend(binary_named):
    roc = charts.roc_figure(binary_named, 1, "fraud")
    aucs = {trace.name.split(" (")[0]: float(trace.name.split("AUC ")[1].rstrip(")")) for trace in roc.data[1:]}
    assert aucs["SMOTE"] > aucs["Baseline"]


def test_confusion_figure_shows_counts_as_text():
    figure = charts.confusion_figure(np.array([[90, 10], [3, 7]]), ["legit", "fraud"], "baseline")
    heatmap = figure.data[0]
    assert np.asarray(heatmap.text).tolist() == [[90, 10], [3, 7]]
    assert np.asarray(heatmap.z)[1].tolist() == pytest.approx([0.3, 0.7])


def test_threshold_figure_marks_slider_and_tuned_threshold(binary_named):
    figure = charts.threshold_figure(binary_named[1], 0.3)
    lines = [shape.x0 for shape in figure.layout.shapes]
    assert 0.3 in lines and 0.4 in lines
    assert {trace.name for trace in figure.data} == {"Precision", "Recall", "F1"}


def test_metric_bars_put_accuracy_last_with_error_bars(binary_named):
    figure = charts.metric_bars(binary_named)
    assert figure.data[0].x[0] == "PR-AUC" and figure.data[0].x[-1] == "Accuracy"
    assert len(figure.data[0].error_y.array) == len(figure.data[0].x)


def test_training_curves_one_panel_per_technique(binary_named):
    figure = charts.training_curves_figure(binary_named)
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["Baseline", "SMOTE"]
    assert len(figure.data) == 4


def test_calibration_figure_has_the_diagonal(binary_named):
    figure = charts.calibration_figure(binary_named, 1, "fraud")
    assert figure.data[0].name == "perfectly calibrated"
    assert len(figure.data) == 3


def test_always_majority_predictor_has_high_accuracy_and_no_recall():
    values = charts.always_majority_metrics({"legit": 975, "fraud": 25})
    assert values["accuracy"] == pytest.approx(0.975)
    assert values["recall"] == 0.0
    multiclass = charts.always_majority_metrics({"1": 50, "2": 30, "3": 20})
    assert multiclass["accuracy"] == pytest.approx(0.5)
    assert multiclass["recall"] == pytest.approx(1 / 3)


def medical_preview(technique_id: str):
    from imbal_core.data.samples import load_sample

    frame = load_sample("medical")
    return evaluate.resample_preview(frame, "diagnosis", catalogue.make_spec(technique_id), evaluate.Protocol())


def test_projection_of_smote_marks_synthetic_rows():
    preview = medical_preview("smote")
    projection, totals = charts.projection_frame(preview)
    before, after = charts.preview_counts(preview)
    assert totals["synthetic"] == after["malignant"] - before["malignant"] > 0
    assert totals["removed"] == 0
    assert set(projection["status"]) == {"original", "synthetic"}
    figure = charts.resample_scatter(projection, totals, preview["labels"], "SMOTE")
    names = [trace.name for trace in figure.data]
    assert any(name.startswith("synthetic (malignant)") for name in names)
    assert any(name.startswith("original minority (malignant)") for name in names)
    # Real minority rows are drawn after (above) the synthetic ones.
    assert names.index(next(n for n in names if n.startswith("original minority"))) > names.index(
        next(n for n in names if n.startswith("synthetic"))
    )


def test_projection_of_undersampling_marks_removed_rows_and_caps_points():
    preview = medical_preview("random_under")
    projection, totals = charts.projection_frame(preview, max_points_per_group=50)
    assert totals["removed"] == len(preview["result"].removed_index) > 0
    assert totals["synthetic"] == 0
    assert (projection.groupby("group").size() <= 50).all()
    figure = charts.resample_scatter(projection, totals, preview["labels"], "Random undersampling")
    removed = [trace for trace in figure.data if trace.name.startswith("removed")]
    assert removed and removed[0].marker.symbol == "x"


def test_projection_of_a_multiclass_sample():
    from imbal_core.data.samples import load_sample

    frame = load_sample("digits")
    preview = evaluate.resample_preview(frame, "digit", catalogue.make_spec("random_over"), evaluate.Protocol())
    projection, totals = charts.projection_frame(preview)
    assert set(projection["label"]) == set(preview["labels"])
    figure = charts.resample_scatter(projection, totals, preview["labels"], "Random oversampling")
    assert any(trace.marker.symbol == "diamond" for trace in figure.data)


def test_hover_text_cannot_inject_placeholders():
    """A class label shaped like a plotly placeholder must not become one: no brace of it survives."""
    hostile = "%{customdata}"
    figure = charts.feature_distribution(pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([hostile, hostile, "b", "b"]), "f")
    template = figure.data[0].hovertemplate
    assert "{customdata}" not in template
    assert "(customdata)" in template  # the label is still shown, made inert


def test_feature_distribution_of_many_classes_uses_one_box_per_class_in_natural_order():
    labels = pd.Series([str(code) for code in range(11)] * 10)
    values = pd.Series(np.arange(110, dtype=float))
    figure = charts.feature_distribution(values, labels, "pixel")
    assert [trace.type for trace in figure.data] == ["box"] * 11
    assert [trace.name for trace in figure.data][:3] == ["0", "1", "2"] and figure.data[-1].name == "10"
    assert figure.data[0].median[0] == pytest.approx(np.median(np.arange(0, 110, 11)))


def test_user_text_in_charts_cannot_become_plotly_html():
    figure = charts.class_histogram({"<a href='https://evil.example'>x</a>": 9, "<b>y</b>": 1}, "Rows of <i>t</i>")
    assert "<" not in figure.layout.title.text and "&lt;i&gt;" in figure.layout.title.text
    assert all("<" not in label for label in figure.data[0].x)
    matrix = charts.confusion_figure(np.eye(2, dtype=int), ["<b>a</b>", "b"], "m")
    assert list(matrix.data[0].x)[0] == "&lt;b&gt;a&lt;/b&gt;"


def test_kfold_curve_titles_carry_the_pooling_note_as_markup_not_text():
    """The second title line is plotly markup; escaping it would show a literal <br> to people."""
    from tests.support.fakes import fake_comparison, fake_result

    labels = np.array([0] * 90 + [1] * 10)
    scores = np.linspace(0.01, 0.99, 100)
    result = fake_result("baseline", labels, scores)
    result.test_labels, result.test_probabilities = (
        [labels[:50], labels[50:]],
        [
            np.column_stack([1 - scores[:50], scores[:50]]),
            np.column_stack([1 - scores[50:], scores[50:]]),
        ],
    )
    result.fold_repeats = [0, 0]
    named = name_results([fake_comparison([result])])
    title = charts.roc_figure(named, 1, "fraud").layout.title.text
    assert "<br><sup>out-of-fold predictions pooled" in title and "&lt;br&gt;" not in title
