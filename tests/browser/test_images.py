"""Images and Excel in the real dashboard (Chromium): a ZIP of class folders uploads, trains a CNN and draws
charts; an .xlsx uploads as a table; a ZIP bomb and a path-traversal ZIP are refused in a visible sentence
with the earlier data still loaded."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import (
    STEP_SECONDS,
    TRAIN_SECONDS,
    choose,
    error_alerts,
    go_to,
    keyed,
    main_area,
    ms,
    open_app,
    screenshot,
    upload,
)
from tests.support.catalogue import BY_ID
from tests.support.images import bars_zip

pytestmark = pytest.mark.browser


def test_a_zip_of_class_folders_uploads_trains_a_cnn_and_shows_charts(page: Page, app_url: str, tmp_path: Path):
    open_app(page, app_url)
    path = tmp_path / "bars.zip"
    path.write_bytes(bars_zip(common=60, rare=15))
    upload(page, path)
    main = main_area(page)
    expect(main.get_by_role("heading", name="Loaded: bars.zip")).to_be_visible(timeout=ms(STEP_SECONDS))
    expect(keyed(page, "chart_class_histogram")).to_contain_text("Images per class")
    expect(main).to_contain_text("Examples per class")
    expect(main.locator('[data-testid="stImage"] img').first).to_be_visible()

    go_to(page, "Train & compare")
    picked = keyed(page, "techniques")
    for name in ("Baseline", "Image augmentation", "Class weights"):
        expect(picked).to_contain_text(name)
    expect(main).to_contain_text("Not offered for image data")
    keyed(page, "max_epochs").locator("input").fill("3")
    keyed(page, "train_button").get_by_role("button", name="Train").click()
    results = main.get_by_role("heading", name="Metrics")
    problem = error_alerts(page).or_(page.get_by_test_id("stException"))
    expect(results.or_(problem).first).to_be_visible(timeout=ms(TRAIN_SECONDS))
    assert problem.count() == 0, f"training failed: {problem.first.inner_text()}"
    expect(main).to_contain_text("Trained 3 technique(s)")
    expect(main.locator(".js-plotly-plot").first).to_be_visible(timeout=ms(STEP_SECONDS))


def test_the_image_sample_shows_its_classes_and_examples(page: Page, app_url: str, screenshots_dir: Path):
    """Also saves the README's picture of the Data page on images."""
    open_app(page, app_url)
    choose(page, "sample_choice", "Handwritten digits 28 by 28, nines made rare (real)")
    main = main_area(page)
    expect(main).to_contain_text("Examples per class", timeout=ms(STEP_SECONDS))
    expect(keyed(page, "chart_class_histogram")).to_contain_text("Images per class")
    expect(main.locator('[data-testid="stImage"] img')).to_have_count(16)
    screenshot(page, screenshots_dir, "images", top=main.get_by_role("heading", name="Examples per class"))


def test_an_excel_workbook_uploads_as_a_table(page: Page, app_url: str, tmp_path: Path):
    open_app(page, app_url)
    frame = pd.DataFrame({"age": range(60), "outcome": ["churn" if index % 6 == 0 else "stay" for index in range(60)]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    path = tmp_path / "customers.xlsx"
    path.write_bytes(buffer.getvalue())
    upload(page, path)
    expect(keyed(page, "chart_class_histogram")).to_contain_text("Rows per class of outcome", timeout=ms(STEP_SECONDS))


@pytest.mark.parametrize(
    ("case_id", "message"), [("zip_bomb", "the limit is 500 MB"), ("zip_path_traversal", "outside")]
)
def test_a_refused_zip_is_explained_by_the_uploader_and_the_data_stays(
    page: Page, app_url: str, tmp_path: Path, case_id, message
):
    open_app(page, app_url)
    path = tmp_path / "images.zip"
    path.write_bytes(BY_ID[case_id].payload())
    upload(page, path)
    upload_tab = main_area(page).get_by_role("tabpanel")  # the sentence sits in the upload area itself
    expect(upload_tab.locator('[data-testid="stAlertContentError"]')).to_contain_text(message, timeout=ms(STEP_SECONDS))
    expect(keyed(page, "chart_class_histogram")).to_contain_text("Rows per class of is_fraud")
