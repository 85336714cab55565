"""AppTest: the Present page walks its steps with Next/Back, each step reachable by its own link."""

from __future__ import annotations

import pytest

from tests.app_helpers import no_failures, open_page

pytestmark = pytest.mark.app


def test_next_and_back_walk_the_steps_and_the_link_names_the_step():
    app = open_page("pages/present.py", "medical")
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
    app = open_page("pages/present.py", "medical")
    app.query_params["step"] = "3"
    app.run()
    no_failures(app)
    assert app.header[0].value == "3. Train and compare"
    assert any("No run on this data yet" in info.value for info in app.info)
    app.query_params["step"] = "99"
    app.run()
    assert app.header[0].value == "1. Why accuracy misleads"


def test_learn_page_quiz_shows_live_evidence():
    app = open_page("pages/learn.py", "medical")
    no_failures(app)
    evidence = [info.value for info in app.info]
    assert any("accuracy and catches 0 of the" in text for text in evidence)
    assert len([expander for expander in app.expander if "Q" in expander.label and ":" in expander.label]) == 9
