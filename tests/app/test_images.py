"""AppTest: images on the Data page (bundled sample, ZIP upload, a different size) and refused ZIPs and workbooks."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.support.app import metric_text as metric
from tests.support.app import no_failures, open_app
from tests.support.images import make_zip, png, two_classes

pytestmark = pytest.mark.app


def shown_images(app) -> int:
    return sum(len(element.proto.imgs) for element in app.get("image"))


def test_the_bundled_image_sample_shows_sizes_classes_and_examples():
    app = open_app(None, sample="nines")
    no_failures(app)
    loaded = app.session_state["dataset"]
    assert loaded.sample_id == "nines" and loaded.images is not None
    assert metric(app, "Images") == "2,300"
    assert metric(app, "Image size") == "28×28×1"
    assert metric(app, "Imbalance ratio") == "45.0 : 1"
    assert "1 in 46 images is 'nine'" in app.info[0].value
    assert any("Images per class" in chart.proto.spec for chart in app.get("plotly_chart"))
    assert shown_images(app) == 16  # 8 examples of each class


def test_a_zip_of_class_folders_uploads_and_can_be_converted_to_another_size():
    app = open_app(None)
    app.file_uploader(key="upload").upload("pets.zip", make_zip(two_classes(common=12, rare=3)), "application/zip")
    app.run()
    no_failures(app)
    assert app.session_state["dataset"].name == "pets.zip"
    assert metric(app, "Images") == "15" and metric(app, "Image size") == "8×8×1"
    assert shown_images(app) == 8 + 3
    app.number_input(key="image_height").set_value(16)
    app.selectbox(key="image_channels").set_value("Colour (3)")
    app.button(key="image_convert").click()
    app.run()
    no_failures(app)
    assert metric(app, "Image size") == "16×8×3"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a/1.png": png(), "../evil.png": png()}, "points outside the archive's folder"),
        ({f"cat/{index}.png": png() for index in range(3)}, "only one class folder"),
    ],
)
def test_a_refused_zip_says_why_by_the_uploader_and_keeps_the_earlier_data(files, message):
    app = open_app(None)
    app.file_uploader(key="upload").upload("bad.zip", make_zip(files), "application/zip")
    app.run()
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value
    assert app.session_state["dataset"].sample_id == "fraud"
    assert metric(app, "Rows") == "20,000"


def test_an_excel_workbook_uploads_as_a_table():
    app = open_app(None)
    frame = pd.DataFrame({"age": range(40), "outcome": ["churn" if index % 5 == 0 else "stay" for index in range(40)]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    app.file_uploader(key="upload").upload("customers.xlsx", buffer.getvalue(), "application/vnd.ms-excel")
    app.run()
    no_failures(app)
    assert app.session_state["dataset"].name == "customers.xlsx"
    assert metric(app, "Rows") == "40"


def test_resample_page_offers_image_samplers_and_shows_originals_beside_augmented_versions():
    app = open_app("pages/resample.py", sample="nines")
    no_failures(app)
    options = app.selectbox(key="resample_technique").options
    assert "Image augmentation" in options and "SMOTE" not in options
    assert app.selectbox(key="resample_technique").value == "image_augment"
    assert any("Originals beside their augmented versions" in header.value for header in app.subheader)
    assert shown_images(app) == 16  # 8 originals and the 8 images made from them


@pytest.mark.slow
def test_compare_page_offers_image_techniques_and_trains_a_cnn_on_an_uploaded_zip():
    app = open_app(None)
    app.file_uploader(key="upload").upload("pets.zip", make_zip(two_classes(common=40, rare=12)), "application/zip")
    app.run()
    app.switch_page("pages/compare.py").run()
    no_failures(app)
    picker = app.multiselect(key="techniques")
    assert picker.value == ["baseline", "image_augment", "class_weight"]
    assert "SMOTE" not in picker.options
    assert any("Not offered for image data" in caption.value for caption in app.caption)
    picker.set_value(["baseline", "image_augment"])
    app.radio(key="protocol_mode").set_value("quick")
    app.number_input(key="max_epochs").set_value(2)
    app.button(key="train_button").click()
    app.run(timeout=240)
    no_failures(app)
    comparison = app.session_state["runs"][-1].comparison
    assert comparison.settings.to_json()["network"] == "cnn"
    assert [result.failed for result in comparison.results] == [None, None]


def test_a_link_to_the_image_sample_opens_it():
    app = open_app(query={"sample": "nines"})
    no_failures(app)
    assert app.session_state["dataset"].sample_id == "nines"
    assert metric(app, "Images") == "2,300"


def test_the_learn_page_says_what_augmentation_does_and_when_it_adds_bias():
    app = open_app("pages/learn.py")
    no_failures(app)
    text = " ".join(element.value for element in app.markdown)
    assert "Augmentation, and when it adds bias" in text and "flips are off by default" in text
    assert "Image augmentation" in text and "image_augment" in text
