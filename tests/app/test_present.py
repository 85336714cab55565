"""AppTest: the Present page walks its steps with Next/Back, each step reachable by its own link."""

from __future__ import annotations

import pytest

from tests.support.app import no_failures, open_app

pytestmark = pytest.mark.app


def test_next_and_back_walk_the_steps_and_the_link_names_the_step():
    app = open_app("pages/present.py", "medical")
    no_failures(app)
    assert app.header[0].value == "1. Why accuracy misleads"
    app.button(key="present_next").click().run()
    no_failures(app)
    assert app.header[0].value == "2. What SMOTE and undersampling do"
    assert app.query_params["step"] in ("2", ["2"])  # the link now names step 2
    for _ in range(3):
        app.button(key="present_next").click().run()
        no_failures(app)
    assert app.header[0].value == "5. The leakage trap"
    assert app.button(key="present_next").disabled
    app.button(key="present_back").click().run()
    assert app.header[0].value == "4. Move the threshold"


def test_a_link_to_a_step_opens_it_and_a_bad_step_opens_the_first():
    app = open_app("pages/present.py", "medical")
    app.query_params["step"] = "3"
    app.run()
    no_failures(app)
    assert app.header[0].value == "3. Train and compare"
    assert any("No run on this data yet" in info.value for info in app.info)
    app.query_params["step"] = "99"
    app.run()
    assert app.header[0].value == "1. Why accuracy misleads"
    assert [warning.value for warning in app.warning] == [
        "There is no step 99 in this walk: the steps are 1 to 5. Showing step 1."
    ]


def test_the_threshold_step_names_the_real_reason_it_cannot_show():
    """On the two-class fraud sample with no run yet, the step asks for a run, not for a two-class target."""
    app = open_app("pages/present.py")
    app.query_params["step"] = "4"
    app.run()
    no_failures(app)
    notes = [info.value for info in app.info]
    assert any(note.startswith("No run on this data yet") for note in notes), notes
    assert not any("two-class" in note for note in notes), notes


def with_quick_run(app):
    """The session's data with one quick (single-split) run, as Train & compare would leave it."""
    from datetime import datetime

    import numpy as np

    from tests.support.fakes import fake_comparison, fake_result
    from ui.store import RunRecord

    rng = np.random.default_rng(0)
    labels = np.array([0] * 180 + [1] * 20)
    scores = np.clip(0.2 + 0.4 * labels + rng.normal(0, 0.15, len(labels)), 0.0, 1.0)
    comparison = fake_comparison([fake_result("baseline", labels, scores)])
    key = f"{app.session_state['dataset'].digest}:{app.session_state['active_target']}"
    app.session_state["runs"] = [RunRecord(1, key, "fraud", comparison, datetime.now())]
    return app


def test_step_three_on_a_quick_run_claims_no_error_bars_over_folds():
    import json

    app = with_quick_run(open_app("pages/present.py"))
    app.query_params["step"] = "3"
    app.run()
    no_failures(app)
    (chart,) = app.get("plotly_chart")
    title = json.loads(chart.proto.spec)["layout"]["title"]["text"]
    assert "folds" not in title and "one test split" in title, title
    app.query_params["step"] = "4"
    app.run()
    no_failures(app)
    assert app.slider(key="present_threshold").value == 0.5


def test_learn_page_quiz_shows_live_evidence():
    app = open_app("pages/learn.py", "medical")
    no_failures(app)
    evidence = [info.value for info in app.info]
    assert any("accuracy and catches 0 of the" in text for text in evidence)
    assert len([expander for expander in app.expander if "Q" in expander.label and ":" in expander.label]) == 9


def test_the_leakage_step_says_what_the_stored_run_shows():
    """A run whose leaky scores came out lower is not presented as scores that look better."""
    app = open_app("pages/present.py")
    key = f"{app.session_state['dataset'].digest}:{app.session_state['active_target']}"
    words = "On this data the leaky run scores lower: PR-AUC -0.058 (...), so this run does not show the leak."
    app.session_state["leakage_results"] = {
        (key, "random_over", 20): {"leak": {"pr_auc": (0.9, 0.842)}, "verdict": ("lower", words)}
    }
    app.query_params["step"] = "5"
    app.run()
    no_failures(app)
    assert [info.value for info in app.info] == [words]
    assert not any("look better than they are" in text.value and "often" not in text.value for text in app.markdown)
