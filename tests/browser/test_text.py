"""Free text in the real dashboard (Chromium): a CSV with a column of messages uploads, the column table says
"text" with its use, a quick comparison trains on the words, and its charts are drawn."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import (
    STEP_SECONDS,
    TRAIN_SECONDS,
    as_records,
    error_alerts,
    expect_plotly,
    go_to,
    grid_rows,
    keyed,
    main_area,
    ms,
    open_app,
    sidebar,
    upload,
)

pytestmark = pytest.mark.browser

SMS = Path(__file__).resolve().parents[2] / "sample_data" / "sms.csv"


def messages_csv(path: Path) -> tuple[Path, dict[str, int]]:
    """300 rows of the bundled sms sample (a tenth of each class, seeded): 276 ham, 24 spam."""
    frame = pd.read_csv(SMS).groupby("label", group_keys=False).sample(frac=0.1, random_state=0)
    frame.to_csv(path, index=False)
    return path, frame["label"].value_counts().to_dict()


def test_a_csv_with_messages_is_typed_text_trains_and_draws_charts(page: Page, app_url: str, tmp_path: Path):
    path, counts = messages_csv(tmp_path / "messages.csv")
    assert sum(counts.values()) == 300 and counts["spam"] == 24
    open_app(page, app_url)
    upload(page, path)
    main = main_area(page)
    expect(sidebar(page)).to_contain_text("messages.csv", timeout=ms(STEP_SECONDS))
    expect(keyed(page, "chart_class_histogram")).to_contain_text("Rows per class of label")

    columns = main.get_by_test_id("stExpander").filter(has_text="Columns and how they are used")
    columns.get_by_text("Columns and how they are used").click()
    table = as_records(grid_rows(columns.get_by_test_id("stDataFrame")))
    assert table["message"]["Type"] == "text", table
    assert "bag of words" in table["message"]["How it is used"]
    assert table["hour_sent"]["Type"] == "numeric" and table["sender_in_contacts"]["Type"] == "categorical"

    go_to(page, "Train & compare")
    expect(main).to_contain_text("Data: messages.csv, target label")
    main.get_by_text("Quick: one stratified train/test split").click()  # 300 rows would default to K-fold
    keyed(page, "max_epochs").locator("input").fill("3")
    keyed(page, "train_button").get_by_role("button", name="Train").click()

    results = main.get_by_role("heading", name="Metrics")
    problem = error_alerts(page).or_(page.get_by_test_id("stException"))
    expect(results.or_(problem).first).to_be_visible(timeout=ms(TRAIN_SECONDS))
    assert problem.count() == 0, f"training failed: {problem.first.inner_text()}"
    expect(main).to_contain_text("Trained 3 technique(s)")
    main.get_by_role("tab", name="Precision-recall").click()
    expect_plotly(keyed(page, "chart_pr"), "Precision-recall curves: spam vs the rest")
