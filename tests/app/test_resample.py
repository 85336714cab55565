"""AppTest: the Resample page shows what a sampler adds and removes, for binary and multi-class data."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import metric_text, no_failures, open_app

pytestmark = pytest.mark.app


def resample_page(sample: str = "medical") -> AppTest:
    return open_app("pages/resample.py", sample)


def metric(app: AppTest, label: str) -> int:
    return int(metric_text(app, label).replace(",", ""))


def chart(app: AppTest, title_part: str) -> dict:
    for element in app.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if title_part in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(f"no chart titled like {title_part!r}")


def test_smote_preview_adds_synthetic_minority_rows():
    app = resample_page()
    no_failures(app)
    assert app.title[0].value == "Resample"
    assert app.selectbox(key="resample_technique").value == "smote"
    added = metric(app, "Synthetic or copied rows added")
    assert added > 0 and metric(app, "Original rows removed") == 0
    before = chart(app, "Before: training rows per class")["data"][0]["y"]
    after = chart(app, "After SMOTE")["data"][0]["y"]
    assert sum(after) - sum(before) == added
    assert after[0] == after[1]  # sampling ratio 1.0: the classes are balanced
    names = [trace["name"] for trace in chart(app, "What SMOTE changed")["data"]]
    assert any(name.startswith("synthetic (malignant)") for name in names)
    assert any(name.startswith("original majority (benign)") for name in names)
    assert any(name.startswith("original minority (malignant)") for name in names)


def test_a_parameter_widget_changes_the_preview():
    app = resample_page()
    added_at_full_ratio = metric(app, "Synthetic or copied rows added")
    app.slider(key="resample__smote__sampling_ratio").set_value(0.5).run()
    no_failures(app)
    assert 0 < metric(app, "Synthetic or copied rows added") < added_at_full_ratio


def test_undersampling_shows_removed_rows():
    app = resample_page()
    app.selectbox(key="resample_technique").set_value("random_under").run()
    no_failures(app)
    removed = metric(app, "Original rows removed")
    assert removed > 0 and metric(app, "Synthetic or copied rows added") == 0
    names = [trace["name"] for trace in chart(app, "What Random undersampling changed")["data"]]
    assert any(name.startswith("removed (benign)") for name in names)


def served_rows(downloads, file_name: str):
    """The served CSV read by the loader the app and the CLI use."""
    from imbal_core.data.tables import load_table

    served = downloads[file_name]
    return load_table(served if isinstance(served, bytes) else served.encode(), file_name=file_name).frame


def test_resampled_rows_can_be_downloaded(downloads):
    """The CSV holds the training rows after SMOTE: the counts the page shows, synthetic rows marked."""
    app = resample_page()
    no_failures(app)
    rows = served_rows(downloads, "smote_resampled_training_rows.csv")
    added = metric(app, "Synthetic or copied rows added")
    assert int(rows["synthetic"].sum()) == added > 0
    assert (rows.loc[rows["synthetic"], "diagnosis"] == "malignant").all()  # SMOTE only adds minority rows
    counts = rows["diagnosis"].value_counts()
    assert counts["malignant"] == counts["benign"]
    said = " ".join(caption.value for caption in app.caption)
    assert f"The {metric(app, 'Training rows') - added:,} training rows of the first stratified split" in said
    assert "validation rows" in said and "test rows" in said  # what is not in the file is named


def test_the_whole_table_can_be_downloaded_with_its_rows_as_read(downloads):
    """Issue 19 item 7: 'Every row of the table' holds each row of the sample exactly as read, then new rows."""
    import pandas as pd

    from imbal_core.data.samples import sample_path
    from imbal_core.data.tables import load_table

    app = resample_page()
    app.radio(key="resample_rows").set_value("all").run()
    no_failures(app)
    rows = served_rows(downloads, "smote_resampled_all_rows.csv")
    path = sample_path("medical")
    table = load_table(path.read_bytes(), file_name=path.name).frame
    originals = rows.loc[~rows["synthetic"]].drop(columns="synthetic").reset_index(drop=True)
    pd.testing.assert_frame_equal(originals, table, check_dtype=True)
    said = " ".join(caption.value for caption in app.caption)
    assert f"All {len(table):,} rows of the table were resampled" in said
    assert f"{int(rows['synthetic'].sum()):,} synthetic rows" in said


def test_fraud_sample_with_categories_uses_smotenc():
    app = resample_page("fraud")
    no_failures(app)
    assert any(element.value == "SMOTENC" for element in app.main.metric)
    assert any("SMOTENC" in info.value for info in app.info)


def test_multiclass_digits_preview():
    app = resample_page("digits")
    no_failures(app)
    assert metric(app, "Synthetic or copied rows added") > 0
    after = chart(app, "After SMOTE")["data"][0]
    assert len(after["x"]) == 10 and len(set(after["y"])) == 1
    symbols = {trace["marker"]["symbol"] for trace in chart(app, "What SMOTE changed")["data"]}
    assert {"circle", "diamond"} <= symbols
