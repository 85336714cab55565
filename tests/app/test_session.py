"""The session object and the URL: defaults stay out, everything round-trips, every bad value becomes a note."""

from __future__ import annotations

import pytest

from imbal_core.run.protocol import Protocol
from ui import link as session_module
from ui.link import Session

SHARE_ID = "Zq3xY0-_abcdefghijklmn"


def parsed(query: dict) -> tuple[Session, list[str]]:
    return Session.from_query_params(query)


def test_the_default_session_makes_a_bare_url_and_a_bare_url_the_default_session():
    assert Session().to_query_params() == {}
    assert parsed({}) == (Session(), [])


def test_every_setting_round_trips_through_the_url():
    original = Session(
        sample="medical",
        target="radius_mean",
        techniques=("baseline", "smote", "focal_loss"),
        params={"smote": {"k_neighbors": 3}, "focal_loss": {"gamma": 3.0, "balance_classes": False}},
        folds=3,
        costs={"miss": 250.0, "period": "day"},
        threshold=0.3,
        run=SHARE_ID,
    )
    query = original.to_query_params()
    assert query == {
        "sample": "medical",
        "target": "radius_mean",
        "techniques": "baseline,smote,focal_loss",
        "smote.k_neighbors": "3",
        "focal_loss.gamma": "3",
        "focal_loss.balance_classes": "false",
        "folds": "3",
        "costs": "miss:250,period:day",
        "threshold": "0.3",
        "run": SHARE_ID,
    }
    restored, notes = parsed(query)
    assert notes == []
    assert restored == original


def test_values_equal_to_their_defaults_stay_out_of_the_url():
    session = Session(
        sample="medical",
        target="diagnosis",  # the medical sample's own target
        techniques=("baseline", "class_weight", "smote"),
        params={"smote": {"k_neighbors": 5}},  # the registry's default
        costs={"miss": 50.0, "false_alarm": 1.0},  # the medical sample's default costs
        threshold=0.5,
    )
    assert session.to_query_params() == {"sample": "medical"}


def test_the_defaults_match_the_engine_and_the_form():
    from ui import compare

    assert Protocol().folds == session_module.DEFAULT_FOLDS
    assert tuple(compare.DEFAULT_CHOICE) == session_module.DEFAULT_TECHNIQUES


def test_folds_1_is_the_quick_split_and_absent_folds_the_suggestion():
    assert parsed({"folds": "1"}) == (Session(folds=1), [])
    assert Session(folds=1).to_query_params() == {"folds": "1"}
    assert parsed({})[0].folds is None


def test_a_repeated_parameter_uses_its_last_value():
    restored, notes = parsed({"folds": ["3", "4"]})
    assert (restored.folds, notes) == (4, [])


@pytest.mark.parametrize(
    ("query", "field", "expected", "note"),
    [
        ({"sample": "nope"}, "sample", "fraud", "is not a bundled sample"),
        ({"sample": ""}, "sample", "fraud", "is not a bundled sample"),
        ({"target": "   "}, "target", None, "target is empty or too long"),
        ({"target": "x" * 500}, "target", None, "target is empty or too long"),
        ({"techniques": "nope,also_not"}, "techniques", ("baseline", "class_weight", "smote"), "unknown techniques"),
        ({"techniques": ""}, "techniques", ("baseline", "class_weight", "smote"), "chose no technique"),
        ({"techniques": "smote,nope"}, "techniques", ("smote",), "unknown techniques ('nope')"),
        ({"folds": "abc"}, "folds", None, "is not a whole number"),
        ({"folds": "2.5"}, "folds", None, "is not a whole number"),
        ({"folds": "0"}, "folds", None, "neither 1 (one split) nor 2 to 10"),
        ({"folds": "11"}, "folds", None, "neither 1 (one split) nor 2 to 10"),
        ({"folds": "-3"}, "folds", None, "neither 1 (one split) nor 2 to 10"),
        ({"threshold": "abc"}, "threshold", 0.5, "is not a number"),
        ({"threshold": "1.5"}, "threshold", 0.5, "outside 0 to 1"),
        ({"threshold": "-0.1"}, "threshold", 0.5, "outside 0 to 1"),
        ({"threshold": "nan"}, "threshold", 0.5, "outside 0 to 1"),
        ({"threshold": "inf"}, "threshold", 0.5, "outside 0 to 1"),
        ({"run": "short"}, "run", None, "not a valid share link"),
        ({"run": "../../etc/passwd-aaaaaaaaaaaa"}, "run", None, "not a valid share link"),
        ({"costs": "miss:abc"}, "costs", {}, "is not a number"),
        ({"costs": "nope:3"}, "costs", {}, "is not name:value"),
        ({"costs": "garbage"}, "costs", {}, "is not name:value"),
        ({"costs": "miss:-1"}, "costs", {}, "must be 0 or more"),
        ({"costs": "false_alarm:0,miss:0"}, "costs", {}, "All costs are 0"),
        ({"costs": "period:year"}, "costs", {}, "period must be one of"),
        ({"focal_loss.gamma": "3"}, "params", {}, "not among its techniques"),
        ({"techniques": "smote", "smote.k_neighbors": "99"}, "params", {}, "must be between"),
        ({"techniques": "smote", "smote.k_neighbors": "three"}, "params", {}, "must be a number"),
        ({"techniques": "smote", "smote.nope": "1"}, "params", {}, "has no parameter 'nope'"),
        ({"whatever": "1"}, None, None, "parameter 'whatever' is unknown"),
    ],
)
def test_a_bad_value_falls_back_to_its_default_with_a_note(query, field, expected, note):
    restored, notes = parsed(query)
    assert len(notes) == 1 and note in notes[0], notes
    if field is not None:
        assert getattr(restored, field) == expected
    others = {name: value for name, value in vars(Session()).items() if name not in (field, "techniques")}
    assert {name: getattr(restored, name) for name in others} == others  # nothing else moved


def test_good_values_next_to_bad_ones_are_kept():
    restored, notes = parsed({"sample": "spam", "folds": "99", "threshold": "0.25", "techniques": "smote,x"})
    assert (restored.sample, restored.folds, restored.threshold, restored.techniques) == (
        "spam",
        None,
        0.25,
        ("smote",),
    )
    assert len(notes) == 2


def test_a_parameter_another_feature_owns_is_kept_quietly():
    session_module.allow_parameter("step")
    try:
        assert parsed({"step": "3"}) == (Session(), [])
    finally:
        session_module.OTHER_PARAMETERS.discard("step")


def test_costs_keep_only_what_differs_from_the_samples_defaults():
    restored, notes = parsed({"sample": "medical", "costs": "miss:50,false_alarm:3"})
    assert notes == [] and restored.costs == {"miss": 50.0, "false_alarm": 3.0}
    assert restored.to_query_params()["costs"] == "false_alarm:3"


def _add_many_runs_script() -> None:
    """AppTest script: load a sample, then add 25 finished runs that differ in their settings."""
    import numpy as np

    from imbal_core.nets.model import ModelSettings
    from tests.support.fakes import fake_comparison, fake_result
    from ui import links
    from ui.store import store

    links.open_session()
    labels = np.array([0, 0, 0, 1] * 10)
    for epochs in range(1, 26):
        comparison = fake_comparison([fake_result("baseline", labels, np.linspace(0, 1, 40))])
        comparison.settings = ModelSettings(max_epochs=epochs)
        store.add_run(comparison)


def test_a_session_keeps_its_newest_runs_only():
    from streamlit.testing.v1 import AppTest

    from ui.store import MAX_RUNS_PER_SESSION

    app = AppTest.from_function(_add_many_runs_script, default_timeout=60)
    app.run()
    assert not app.exception
    runs = app.session_state["runs"]
    assert len(runs) == MAX_RUNS_PER_SESSION < 25
    assert [record.comparison.settings.max_epochs for record in runs] == list(range(26 - MAX_RUNS_PER_SESSION, 26))
