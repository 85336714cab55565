"""AppTest: a link's query parameters restore the settings, bad ones become a note, and the URL follows changes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import no_failures, open_app

pytestmark = pytest.mark.app


def query(app: AppTest) -> dict[str, str]:
    return {key: values[-1] if isinstance(values, list) else values for key, values in app.query_params.items()}


def warnings_text(app: AppTest) -> str:
    return " ".join(str(element.value) for element in app.warning)


def test_a_plain_link_opens_the_default_sample_and_keeps_the_url_bare():
    app = open_app(query={})
    no_failures(app)
    assert app.session_state["dataset"].sample_id == "fraud"
    assert query(app) == {}
    assert "this link" not in warnings_text(app)


def test_a_link_restores_sample_target_techniques_parameters_protocol_and_threshold():
    link = {
        "sample": "medical",
        "target": "diagnosis",
        "techniques": "baseline,smote,focal_loss",
        "smote.k_neighbors": "3",
        "folds": "3",
        "threshold": "0.3",
    }
    app = open_app(query=link)
    no_failures(app)
    assert app.session_state["dataset"].sample_id == "medical"
    assert app.selectbox(key="sample_choice").value == "medical"
    assert app.selectbox(key="target").value == "diagnosis"
    app.switch_page("pages/compare.py").run()
    no_failures(app)
    assert app.multiselect(key="techniques").value == ["baseline", "smote", "focal_loss"]
    assert app.slider(key="compare__smote__k_neighbors").value == 3
    assert app.radio(key="protocol_mode").value == "cv"
    assert app.number_input(key="folds").value == 3
    assert app.session_state["threshold"] == 0.3
    expected = {key: value for key, value in link.items() if key != "target"}  # diagnosis is medical's own target
    assert query(app) == expected


def test_a_link_with_another_target_column_uses_it():
    app = open_app(query={"sample": "fraud", "target": "card_present"})
    no_failures(app)
    assert app.selectbox(key="target").value == "card_present"
    assert query(app) == {"target": "card_present"}


@pytest.mark.parametrize(
    ("link", "note"),
    [
        ({"sample": "nope"}, "is not a bundled sample"),
        ({"folds": "abc"}, "is not a whole number"),
        ({"folds": "40"}, "neither 1 (one split) nor 2 to 10"),
        ({"threshold": "7"}, "outside 0 to 1"),
        ({"techniques": "smote,bogus"}, "unknown techniques"),
        ({"target": "no_such_column"}, "is not a column of this data"),
        ({"run": "x"}, "not a valid share link"),
        ({"wat": "1"}, "is unknown and was ignored"),
    ],
)
def test_a_bad_link_opens_with_defaults_and_a_note_never_a_traceback(link, note):
    app = open_app(query=link)
    assert not app.exception
    assert note in warnings_text(app)
    assert app.session_state["dataset"].sample_id == "fraud"
    for key in link:  # the unusable value left the address bar
        if key != "techniques":
            assert key not in query(app)
    app.run()
    assert note not in warnings_text(app)  # said once, not on every rerun


def test_a_link_made_with_an_upload_asks_for_the_file_and_keeps_its_settings():
    app = open_app(query={"sample": "upload", "target": "churned", "folds": "4"})
    assert not app.exception
    assert "upload it on the Data page" in warnings_text(app)
    assert app.session_state["link_target"] == "churned"


def test_the_url_follows_the_sample_and_target_the_person_picks():
    app = open_app(query={})
    app.selectbox(key="sample_choice").set_value("medical").run()
    assert query(app) == {"sample": "medical"}
    app.selectbox(key="sample_choice").set_value("fraud").run()
    assert query(app) == {}
    app.selectbox(key="target").set_value("card_present").run()
    assert app.session_state["active_target"] == "card_present"
    assert query(app) == {"target": "card_present"}
    app.selectbox(key="target").set_value("is_fraud").run()
    assert query(app) == {}


def test_the_url_follows_the_techniques_and_their_parameters():
    app = open_app("pages/compare.py", query={})
    app.multiselect(key="techniques").set_value(["baseline", "smote"]).run()
    assert query(app) == {"techniques": "baseline,smote"}
    app.slider(key="compare__smote__k_neighbors").set_value(2).run()
    assert query(app) == {"techniques": "baseline,smote", "smote.k_neighbors": "2"}
    app.slider(key="compare__smote__k_neighbors").set_value(5).run()
    assert query(app) == {"techniques": "baseline,smote"}


def test_the_protocol_the_form_suggests_stays_out_of_the_url_and_folds_1_asks_for_the_quick_split():
    app = open_app("pages/compare.py", query={"sample": "medical"})
    assert app.radio(key="protocol_mode").value == "cv"  # the form suggests K-fold for small data
    assert query(app) == {"sample": "medical"}
    app = open_app("pages/compare.py", query={"sample": "medical", "folds": "1"})
    assert app.radio(key="protocol_mode").value == "quick"
    assert query(app) == {"sample": "medical", "folds": "1"}
