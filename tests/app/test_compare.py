"""AppTest: Train & compare, through the form, with tiny networks; threshold, exports, accumulation."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import no_failures, open_app

TRAINING_TIMEOUT = 240
TINY_EPOCHS = 3
THREE = ["baseline", "class_weight", "smote"]
THREE_NAMES = ["Baseline", "Class weights", "SMOTE"]  # what people read in tables and charts
pytestmark = pytest.mark.app


def compare_page(sample: str = "medical") -> AppTest:
    return open_app("pages/compare.py", sample)


def train(
    app: AppTest, techniques: list[str], epochs: int = TINY_EPOCHS, mode: str = "quick", seed_average: int | None = 1
) -> AppTest:
    """Train through the form; one network per technique unless `seed_average` says otherwise (the form's
    automatic default trains 3 on a small table, which these tests do not need). None keeps the form's choice."""
    app.multiselect(key="techniques").set_value(techniques)
    app.radio(key="protocol_mode").set_value(mode)
    app.number_input(key="max_epochs").set_value(epochs)
    if seed_average is not None:
        app.selectbox(key="seed_average").set_value(seed_average)
    app.button(key="train_button").click()
    return app.run(timeout=TRAINING_TIMEOUT)


def metric_table(app: AppTest) -> pd.DataFrame:
    return next(
        frame.value
        for frame in app.dataframe
        if any(str(column).startswith("PR-AUC") for column in frame.value.columns)
    )


def threshold_table(app: AppTest) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if "Caught (TP)" in frame.value.columns)


def recommendation_text(app: AppTest) -> str:
    """The recommendation box: a success (confident) or info alert that names a threshold."""
    return next(
        alert.value for alert in [*app.success, *app.info] if "threshold" in alert.value and "Use " in alert.value
    )


def operating_table(app: AppTest) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if "Cost per 1,000" in frame.value.columns)


def chart_titles(app: AppTest) -> list[str]:
    return [json.loads(element.proto.spec)["layout"]["title"]["text"] for element in app.get("plotly_chart")]


def test_page_without_runs_invites_training():
    app = compare_page()
    no_failures(app)
    assert app.title[0].value == "Train & compare"
    assert app.multiselect(key="techniques").value == THREE
    assert any("No results yet" in info.value for info in app.info)


def test_no_technique_chosen_gives_an_error_not_an_exception():
    app = compare_page()
    app.multiselect(key="techniques").set_value([])
    app.button(key="train_button").click().run()
    assert not app.exception
    assert "Pick at least one technique" in app.error[0].value
    assert app.session_state["training_count"] == 0


@pytest.mark.slow
def test_training_three_techniques_through_the_form_matches_the_engine_and_exports_csv_json_and_html(downloads):
    """One training through the form: its table and charts, the same numbers as the engine, and every export."""
    app = train(compare_page(), THREE)
    no_failures(app)
    assert app.success[0].value.startswith("Trained 3 technique(s)")
    assert app.session_state["training_count"] == 1
    table = metric_table(app)
    assert list(table.index) == THREE_NAMES
    metric_columns = [
        column for column in table.columns if column not in ("Tuned threshold", "Protocol", "Fit seconds", "Notes")
    ]
    assert metric_columns[:4] == ["PR-AUC", "Recall", "F1", "Precision"] and metric_columns[-1] == "Accuracy"
    titles = chart_titles(app)
    for expected in (
        "ROC curves",
        "Precision-recall curves",
        "Calibration",
        "Training curves",
        "Metrics by technique",
        "Threshold trade-off",
    ):
        assert any(title.startswith(expected) for title in titles), expected
    assert sum(1 for title in titles if title in THREE_NAMES) == 3  # one confusion matrix per technique

    # Same settings through the engine directly (as the CLI does): the same numbers.
    from imbal_core.data.samples import sample_path
    from imbal_core.data.tables import load_table
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    run = app.session_state["runs"][0].comparison
    assert run.protocol == Protocol() and run.settings == ModelSettings(max_epochs=TINY_EPOCHS)
    direct = run_comparison(
        load_table(sample_path("medical")).frame,
        "diagnosis",
        [make_spec(technique) for technique in THREE],
        Protocol(),
        ModelSettings(max_epochs=TINY_EPOCHS),
    )
    for shown, engine in zip(run.results, direct.results, strict=True):
        assert shown.metrics == pytest.approx(engine.metrics, nan_ok=True)
    assert table.loc["SMOTE", "PR-AUC"] == f"{direct.results[2].metrics['pr_auc']:.3f}"

    # The exports of that run: CSV, JSON and an offline HTML report.
    csv_text = downloads["imbalance_lab_metrics.csv"]()  # every export is built on click
    exported = pd.read_csv(io.StringIO(csv_text))
    assert list(exported["technique"]) == THREE and "pr_auc" in exported.columns
    document = json.loads(downloads["imbalance_lab_results.json"]())
    results = document["runs"][0]["results"]
    assert [result["technique"] for result in results] == THREE
    assert document["runs"][0]["protocol"]["epochs"] == TINY_EPOCHS
    page = downloads["imbalance_lab_report.html"]()  # built on click
    assert page.startswith("<!DOCTYPE html>") and "window.PlotlyConfig" in page
    assert "<script src=" not in page
    for technique in THREE_NAMES:
        assert technique in page
    assert "Breast cancer biopsies" in page


@pytest.mark.slow
def test_threshold_slider_rescores_without_retraining():
    app = train(compare_page(), THREE)
    comparison = app.session_state["runs"][0].comparison
    at_half = threshold_table(app)
    assert (at_half["Threshold"] == 0.5).all()
    app.slider(key="threshold").set_value(0.05).run()
    no_failures(app)
    at_low = threshold_table(app)
    assert (at_low["Threshold"] == 0.05).all()
    assert (at_low["Recall"] >= at_half["Recall"]).all()
    assert (at_low["Caught (TP)"] + at_low["Missed (FN)"] == at_half["Caught (TP)"] + at_half["Missed (FN)"]).all()
    changed = (at_low[["Precision", "Recall", "F1"]] != at_half[["Precision", "Recall", "F1"]]).any(axis=None)
    assert changed, "moving the threshold from 0.5 to 0.05 changed nothing"
    assert any("at threshold 0.05" in element.value for element in app.markdown)
    # No retraining: the same stored comparison, the same training count.
    assert app.session_state["training_count"] == 1
    assert app.session_state["runs"][0].comparison is comparison
    # The tuned-threshold button moves the slider to a technique's tuned value.
    tuned = comparison.results[0].tuned_threshold
    app.button(key="use_tuned").click().run()
    assert app.slider(key="threshold").value == pytest.approx(round(tuned, 3))
    assert app.session_state["training_count"] == 1


@pytest.mark.slow
def test_runs_accumulate_and_clear():
    app = train(compare_page(), ["baseline", "class_weight"])
    app = train(app, ["baseline", "random_under"])
    no_failures(app)
    # One run at a time (the latest first), so protocols never mix in one table; the identical baseline
    # moved to the new run instead of being duplicated.
    assert list(metric_table(app).index) == ["Baseline", "Random undersampling"]
    runs = app.selectbox(key="shown_run")
    assert len(runs.options) == 2 and runs.value.startswith("Run 2 · quick split")
    runs.set_value(runs.options[1]).run()
    assert list(metric_table(app).index) == ["Class weights"]
    assert app.session_state["training_count"] == 2
    app.button(key="clear_runs").click().run()
    no_failures(app)
    assert app.session_state["runs"] == []
    assert any("No results yet" in info.value for info in app.info)


@pytest.mark.slow
def test_multiclass_digits_training():
    app = train(compare_page("digits"), ["baseline", "random_over"])
    no_failures(app)
    table = metric_table(app)
    assert list(table.index) == ["Baseline", "Random oversampling"]
    assert "Recall (macro)" in table.columns
    assert app.selectbox(key="curve_class").value == "9"  # the rarest digit by default
    titles = chart_titles(app)
    assert "ROC curves: 9 vs the rest" in titles
    app.selectbox(key="curve_class").set_value("3").run()
    assert "ROC curves: 3 vs the rest" in chart_titles(app)
    assert app.session_state["training_count"] == 1


@pytest.mark.slow
def test_a_second_session_waits_its_turn_and_sees_its_place_in_the_queue():
    import threading

    from imbal_core.nets.engine import trainer

    app = compare_page()
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:  # another session's run, holding the engine's trainer
        with trainer().turn():
            held.set()
            release.wait(10)

    other = threading.Thread(target=other_session)
    other.start()
    held.wait(5)
    releaser = threading.Timer(2.5, release.set)
    releaser.start()
    try:
        train(app, ["baseline"])
    finally:
        releaser.join()
        other.join()
    no_failures(app)
    message = app.success[0].value
    assert message.startswith("Trained 1 technique(s)") and "waited" in message
    comparison = app.session_state["runs"][0].comparison
    assert 2 <= comparison.wait_seconds < 10
    assert not trainer().busy() and trainer().waiting() == 0  # the app gave the trainer back


@pytest.mark.slow
def test_decision_view_follows_the_costs_without_retraining():
    app = train(compare_page(), THREE)
    no_failures(app)
    assert app.number_input(key="cost_miss").value == 50  # the medical sample's stated default
    recommendation = recommendation_text(app)
    cheap_misses = operating_table(app)
    app.number_input(key="cost_miss").set_value(1000.0).run()
    no_failures(app)
    dear_misses = operating_table(app)
    captions = [element.value for element in app.caption]
    assert not any("Defaults for a biopsy clinic" in caption for caption in captions)  # the costs in use, not 50
    assert any("a miss (1,000) costs 1,000× a false alarm (1)" in caption for caption in captions), captions
    # A dearer miss never raises a technique's threshold, and its recall never drops.
    assert (dear_misses["Threshold"] <= cheap_misses["Threshold"] + 1e-12).all()
    assert (dear_misses["Recall"] >= cheap_misses["Recall"] - 1e-12).all()
    assert app.session_state["training_count"] == 1
    assert any("Before deploying" in element.value for element in app.markdown)
    assert recommendation
    app.radio(key="decision_rule").set_value("recall").run()
    no_failures(app)
    assert (operating_table(app)["Recall"] >= 0.5).all()


def test_small_data_defaults_to_kfold_and_large_data_to_one_split():
    assert compare_page("medical").radio(key="protocol_mode").value == "cv"  # 569 rows: K-fold is cheap
    assert compare_page("fraud").radio(key="protocol_mode").value == "quick"  # 20,000 rows, 125 minority test rows


@pytest.mark.slow
def test_reference_learners_are_marked_and_never_recommended():
    app = compare_page()
    app.checkbox(key="references").check()
    app = train(app, ["baseline"])
    no_failures(app)
    comparison = app.session_state["runs"][0].comparison
    assert [result.reference for result in comparison.results] == [False, True, True]
    assert list(operating_table(app).index) == [
        "Baseline",
        "Logistic regression (reference)",
        "Gradient boosting (reference)",
    ]
    assert "Baseline" in recommendation_text(app)


def test_two_class_techniques_are_named_not_offered_on_a_multiclass_target():
    app = compare_page("digits")
    no_failures(app)
    offered = app.multiselect(key="techniques").options
    assert "Anomaly autoencoder" not in offered and "Baseline" in offered
    assert any("Not offered for this 10-class target: Anomaly autoencoder" in caption.value for caption in app.caption)


def test_a_seed_average_set_in_the_form_trains_and_is_named_with_the_run():
    app = train(compare_page(), ["baseline"], seed_average=2)
    no_failures(app)
    (record,) = app.session_state["runs"]
    assert record.comparison.settings.seed_average == 2 and not record.comparison.settings.seed_average_automatic
    assert app.selectbox(key="shown_run").value.count("each network an average of 2 seeds (chosen)") == 1


def test_the_seed_average_defaults_to_automatic_and_shows_what_it_means_for_the_loaded_table():
    """Issue 20 item 3: 3 networks per technique on a table of at most 3,000 rows, 1 above; the form says which."""
    medical = compare_page("medical")
    control = medical.selectbox(key="seed_average")
    assert control.value == "auto" and control.options[0] == "Automatic (3: 397 rows)"
    assert control.options[1:] == [str(count) for count in range(1, 11)]
    spam = compare_page("spam")  # 4,000 rows: above the small-table bound
    assert spam.selectbox(key="seed_average").options[0] == "Automatic (1: 4,000 rows)"


@pytest.mark.slow
def test_the_automatic_seed_average_trains_three_networks_on_a_small_table_and_says_why():
    app = train(compare_page("medical"), ["baseline"], epochs=1, seed_average=None)
    no_failures(app)
    (record,) = app.session_state["runs"]
    settings = record.comparison.settings
    assert settings.seed_average == 3 and settings.seed_average_automatic
    shown = "each network an average of 3 seeds (automatic: 397 rows, at most 3,000)"
    assert app.selectbox(key="shown_run").value.count(shown) == 1


def test_the_dashboard_metric_table_marks_reference_rows_and_says_its_rule():
    """A reference learner that scores higher than every network is visibly a reference, not a forgotten best."""
    import numpy as np

    from imbal_core.present.result_names import name_results
    from imbal_core.present.result_tables import HIGHLIGHT_RULE, metric_table
    from tests.support.fakes import fake_comparison, fake_result
    from ui.results import REFERENCE_STYLE, styled_table

    rng = np.random.default_rng(0)
    labels = np.array([0] * 180 + [1] * 20)
    network = np.clip(0.3 + 0.3 * labels + rng.normal(0, 0.15, 200), 0, 1)
    reference = np.clip(0.3 + 0.5 * labels + rng.normal(0, 0.15, 200), 0, 1)
    comparison = fake_comparison(
        [fake_result("baseline", labels, network), fake_result("logistic_regression", labels, reference)]
    )
    table = metric_table(name_results([comparison]))
    assert list(table.display.index) == ["Baseline", "Logistic regression (reference)"]
    assert table.means.loc["Logistic regression (reference)", "PR-AUC"] > table.means.loc["Baseline", "PR-AUC"]
    styles = styled_table(table).to_html()
    assert REFERENCE_STYLE.split(";")[0] in styles  # the reference row is set in italics
    assert "never highlighted, even where they score higher" in HIGHLIGHT_RULE
