"""AppTest: the Data page and the app shell (sample on first open, upload, target choice, bad input)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import APP, no_failures, open_app
from tests.support.app import metric_text as metric
from ui.cache import warm_up_delay

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
pytestmark = pytest.mark.app


def sidebar_text(app: AppTest) -> str:
    return " ".join(str(element.value) for element in [*app.sidebar.markdown, *app.sidebar.metric])


def small_table(rows: int = 60) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [20 + index % 50 for index in range(rows)],
            "income": [1000.0 + 37 * index for index in range(rows)],
            "outcome": ["churn" if index % 6 == 0 else "stay" for index in range(rows)],
        }
    )


def test_first_open_shows_the_fraud_sample_with_no_upload():
    app = open_app()
    no_failures(app)
    assert app.title[0].value == "Data"
    assert app.session_state["dataset"].sample_id == "fraud"
    assert metric(app, "Rows") == "20,000"
    assert metric(app, "Minority share") == "1.00%"
    assert metric(app, "Imbalance ratio") == "99.0 : 1"
    verdict = app.info[0].value
    assert "1 in 100 rows is 'fraud'" in verdict and "99.0% accuracy" in verdict
    assert app.selectbox(key="target").value == "is_fraud"
    sidebar = sidebar_text(app)
    assert "Card fraud" in sidebar and "20,000" in sidebar and "is_fraud" in sidebar and "1.0%" in sidebar


def test_histogram_preview_and_feature_distribution_are_shown():
    app = open_app()
    titles = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert any("Rows per class of is_fraud" in spec for spec in titles)
    assert any("Distribution of amount by class" in spec for spec in titles)
    types, preview = app.dataframe[0].value, app.dataframe[1].value
    assert len(preview) == 200
    assert types.loc["amount", "Type"] == "numeric" and types.loc["merchant_category", "Type"] == "categorical"
    app.selectbox(key="feature").set_value("merchant_category").run()
    no_failures(app)
    assert any("Distribution of merchant_category" in chart.proto.spec for chart in app.get("plotly_chart"))


def test_missing_values_warning_is_visible():
    app = open_app()
    assert any("cells" in warning.value and "missing" in warning.value for warning in app.warning)


def test_picking_another_sample_updates_the_page_and_sidebar():
    app = open_app()
    app.selectbox(key="sample_choice").set_value("medical").run()
    no_failures(app)
    assert metric(app, "Rows") == "397"
    assert app.selectbox(key="target").value == "diagnosis"
    assert "397" in sidebar_text(app)


def test_upload_csv_through_the_file_uploader():
    app = open_app()
    csv_bytes = small_table().to_csv(index=False).encode()
    app.file_uploader(key="upload").upload("customers.csv", csv_bytes, "text/csv")
    app.run()
    no_failures(app)
    assert app.session_state["dataset"].name == "customers.csv"
    assert app.selectbox(key="target").value == "outcome"
    assert metric(app, "Rows") == "60"
    assert "customers" in sidebar_text(app)


def test_upload_tsv_and_parquet():
    app = open_app()
    tsv = small_table().to_csv(index=False, sep="\t").encode()
    app.file_uploader(key="upload").upload("table.tsv", tsv, "text/tab-separated-values")
    app.run()
    no_failures(app)
    assert app.session_state["dataset"].name == "table.tsv"
    buffer = io.BytesIO()
    small_table(80).to_parquet(buffer)
    app.file_uploader(key="upload").set_value(("table.parquet", buffer.getvalue(), "application/octet-stream"))
    app.run()
    no_failures(app)
    assert app.session_state["dataset"].name == "table.parquet"
    assert metric(app, "Rows") == "80"


def test_broken_upload_shows_an_error_and_keeps_the_earlier_data():
    app = open_app()
    app.file_uploader(key="upload").upload("data.csv", PNG_BYTES, "text/csv")
    app.run()
    assert not app.exception
    assert len(app.error) == 1
    assert "looks like a PNG image" in app.error[0].value and "CSV" in app.error[0].value
    assert app.session_state["dataset"].sample_id == "fraud"
    assert metric(app, "Rows") == "20,000"


def test_upload_with_no_possible_target_is_refused_with_advice():
    app = open_app()
    frame = pd.DataFrame({"a": [float(index) * 1.5 for index in range(50)], "b": range(50)})
    app.file_uploader(key="upload").upload("numbers.csv", frame.to_csv(index=False).encode(), "text/csv")
    app.run()
    assert not app.exception
    assert "No column of this file can be a class target" in app.error[0].value
    assert app.session_state["dataset"].sample_id == "fraud"


def test_target_choice_updates_the_profile():
    app = open_app()
    app.file_uploader(key="upload").upload(
        "two_targets.csv",
        small_table().assign(segment=["a", "b", "c"] * 20).to_csv(index=False).encode(),
        "text/csv",
    )
    app.run()
    assert app.selectbox(key="target").value == "outcome"
    app.selectbox(key="target").set_value("segment").run()
    no_failures(app)
    assert app.session_state["active_target"] == "segment"
    assert metric(app, "Classes") == "3"
    assert "segment" in sidebar_text(app)


def test_an_unusable_target_gives_an_error_and_keeps_the_working_target():
    app = open_app()
    app.selectbox(key="target").set_value("amount").run()
    assert not app.exception
    assert "continuous numbers" in app.error[0].value
    assert app.session_state["active_target"] == "is_fraud"
    assert app.selectbox(key="target").value == "is_fraud"
    assert metric(app, "Imbalance ratio") == "99.0 : 1"


def test_multiclass_digits_sample():
    app = open_app()
    app.selectbox(key="sample_choice").set_value("digits").run()
    no_failures(app)
    assert metric(app, "Classes") == "10"
    assert "The rarest class, '9'" in app.info[0].value
    histogram = next(chart for chart in app.get("plotly_chart") if "Rows per class of digit" in chart.proto.spec)
    assert '"9"' in histogram.proto.spec


def test_two_sessions_never_see_each_others_data():
    first, second = open_app(), open_app()
    first.file_uploader(key="upload").upload("private.csv", small_table().to_csv(index=False).encode(), "text/csv")
    first.run()
    second.run()
    assert first.session_state["dataset"].name == "private.csv"
    assert second.session_state["dataset"].sample_id == "fraud"
    assert "private" not in sidebar_text(second)


def test_stopped_training_is_reported_once():
    app = open_app()
    app.session_state["training_in_progress"] = True
    app.run()
    assert any("stopped before it finished" in toast.value for toast in app.toast)
    app.run()
    assert not app.toast


def test_no_page_imports_tensorflow_until_training_starts():
    """Run in a fresh interpreter: other tests in this process may already have imported TensorFlow. The
    engine's background warm-up imports it on purpose after 5 s, which a loaded machine's page runs can
    exceed, so it is switched off here: this test is about what the pages themselves import."""
    import subprocess

    script = (
        "import sys, time\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"app = AppTest.from_file({APP!r}, default_timeout=60)\n"
        "app.run()\n"
        "for page in ('pages/resample.py', 'pages/compare.py', 'pages/learn.py'):\n"
        "    app.switch_page(page).run()\n"
        "    assert not app.exception, page\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "IMBAL_LAB_WARM_UP_SECONDS": "off"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split() == ["False", "False"]  # TensorFlow, Keras


def test_the_warm_up_setting_reads_seconds_or_off():
    assert warm_up_delay({}) == 5.0
    assert warm_up_delay({"IMBAL_LAB_WARM_UP_SECONDS": "off"}) is None
    assert warm_up_delay({"IMBAL_LAB_WARM_UP_SECONDS": "0"}) == 0.0
    assert warm_up_delay({"IMBAL_LAB_WARM_UP_SECONDS": "soon"}) == 5.0


def test_an_unusable_suggested_target_is_replaced_and_the_reason_shown():
    app = open_app()
    # No column is named like a label, and the last one (the fallback suggestion) is continuous.
    frame = small_table().rename(columns={"outcome": "segment"})
    frame = frame.assign(region=["north", "south"] * 30, price=[index * 1.37 for index in range(60)])
    app.file_uploader(key="upload").upload("prices.csv", frame.to_csv(index=False).encode(), "text/csv")
    app.run()
    no_failures(app)
    assert app.session_state["active_target"] == "region"  # the class-like column nearest the end
    notice = " ".join(warning.value for warning in app.warning)
    assert "The suggested target column 'price' cannot be used" in notice and "continuous numbers" in notice
    assert "'region' is used instead" in notice
    app.selectbox(key="target").set_value("segment").run()  # choosing a target clears the notice
    assert app.session_state["active_target"] == "segment"
    assert "suggested target column" not in " ".join(warning.value for warning in app.warning)


def test_user_text_in_messages_is_never_a_markdown_link():
    app = open_app()
    link = "[click me](https://evil.example)"
    frame = small_table().assign(**{link: "constant"})
    app.file_uploader(key="upload").upload("links.csv", frame.to_csv(index=False).encode(), "text/csv")
    app.run()
    no_failures(app)
    shown = [element.value for kind in ("warning", "info", "markdown", "caption") for element in getattr(app, kind)]
    assert any("click me" in text for text in shown)  # the column is named in the dropped-columns warning...
    assert not any("](https://evil.example)" in text for text in shown)  # ...as inert text, not a link


@pytest.mark.parametrize("sample_id", ["medical", "fraud", "spam", "maintenance", "sms", "digits"])
def test_every_bundled_sample_loads_in_the_dashboard(sample_id):
    from imbal_core.data.samples import get_sample, load_sample

    info, frame = get_sample(sample_id), load_sample(sample_id)
    app = open_app()
    app.selectbox(key="sample_choice").set_value(sample_id).run()
    no_failures(app)
    assert metric(app, "Rows") == f"{len(frame):,}"
    assert app.selectbox(key="target").value == info.target
    assert app.get("plotly_chart"), "the class histogram is missing"


def test_a_text_column_is_typed_as_text_and_explained():
    app = open_app()
    app.selectbox(key="sample_choice").set_value("sms").run()
    no_failures(app)
    types = app.dataframe[0].value
    assert types.loc["message", "Type"] == "text"
    assert "bag of words" in types.loc["message", "How it is used"]
    assert types.loc["hour_sent", "Type"] == "numeric"
