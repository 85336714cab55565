"""AppTest: the Learn page ties each idea to the loaded data; the leakage toggle shows inflated numbers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import metric_text as metric
from tests.support.app import open_app

pytestmark = pytest.mark.app


def learn_page(sample: str = "fraud") -> AppTest:
    return open_app("pages/learn.py", sample)


def test_accuracy_lesson_uses_the_loaded_data():
    app = learn_page()
    assert not app.exception and not app.error
    assert app.title[0].value == "Learn"
    assert metric(app, "Accuracy") == "99.0%"
    assert metric(app, "Minority recall") == "0.0%"
    assert any("1 in 100 rows is 'fraud'" in element.value for element in app.markdown)


def test_every_technique_is_explained():
    from imbal_core.techniques.catalogue import REGISTRY

    app = learn_page()
    text = " ".join(element.value for element in app.markdown)
    for technique in REGISTRY.values():
        assert f"**{technique.name}**" in text
    assert "Threshold moving" in text
    assert "PR-AUC (average precision)" in app.table[0].value.index


def test_multiclass_lesson():
    app = learn_page("digits")
    assert not app.exception and not app.error
    assert metric(app, "Recall (macro)") == "10.0%"


@pytest.mark.slow
def test_leakage_toggle_shows_inflated_numbers_next_to_honest_ones():
    app = learn_page("medical")
    assert not app.dataframe
    app.toggle(key="leakage_toggle").set_value(True).run(timeout=240)
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert list(table.columns) == [
        "Honest: split, then resample",
        "Leaky: the sampler saw the test rows",
        "Leakage gain",
        "95% interval",
        "Reading",
    ]
    honest, leaky = table.loc["PR-AUC", table.columns[0]], table.loc["PR-AUC", table.columns[1]]
    assert 0 < honest <= 1 and 0 < leaky <= 1
    assert table.loc["PR-AUC", "Leakage gain"] == pytest.approx(leaky - honest)
    # The words match the numbers: "leakage" only for a gain beyond noise; otherwise they say so.
    alerts = [alert.value for alert in [*app.warning, *app.info]]
    if table.loc["PR-AUC", "Reading"] == "higher":
        assert any("this gain is leakage" in alert for alert in alerts), alerts
    else:
        assert not any("leakage alone" in alert or "this gain is leakage" in alert for alert in alerts), alerts
        assert any("does not show" in alert for alert in alerts), alerts
    for name in table.index:
        if table.loc[name, "Leakage gain"] < 0:
            assert table.loc[name, "Reading"] in ("lower", "within noise"), name
    # The prevalence lesson is its own table: the honest model's scores at the real ratio and at 50%.
    prevalence = app.dataframe[1].value
    real, half = prevalence.iloc[0], prevalence.iloc[1]
    assert real["Rare share"] < 0.5 and half["Rare share"] == 0.5
    assert half["Precision"] > real["Precision"] and half["Recall"] == real["Recall"]
    # Switching away and back shows the stored numbers; nothing retrains.
    stored = dict(app.session_state["leakage_results"])
    app.switch_page("pages/data.py").run()
    app.switch_page("pages/learn.py").run(timeout=10)
    assert app.dataframe[0].value.loc["PR-AUC"].tolist() == table.loc["PR-AUC"].tolist()
    assert dict(app.session_state["leakage_results"]) == stored
