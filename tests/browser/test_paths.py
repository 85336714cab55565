"""A person's paths through the real dashboard, in Debian's Chromium (see conftest.py for the server and browser).

Each test is one path a person takes, asserted on what they would see: titles, counts, charts, table numbers.
Training uses the small breast-cancer sample and few epochs, so the slowest path stays well under a minute.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import (
    LOAD_SECONDS,
    STEP_SECONDS,
    TRAIN_SECONDS,
    as_records,
    choose,
    data_frames,
    error_alerts,
    expect_histogram,
    expect_plotly,
    go_to,
    grid_rows,
    histogram,
    keyed,
    main_area,
    ms,
    open_app,
    screenshot,
    settle,
    sidebar,
    upload,
)

pytestmark = pytest.mark.browser

MEDICAL = "Breast cancer biopsies (real)"
MEDICAL_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "breast_cancer.csv"
DEFAULT_TECHNIQUES = ("Baseline", "Class weights", "SMOTE")  # as the tables and legends name them
# --- locators and small actions ------------------------------------------------------------------------------


def class_counts(path: Path, target: str) -> dict[str, int]:
    with path.open(newline="") as handle:
        return dict(Counter(row[target] for row in csv.DictReader(handle)))


MEDICAL_COUNTS = class_counts(MEDICAL_FILE, "diagnosis")  # benign 357, malignant 40


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def customers_csv(path: Path, rows: int = 300, seed: int = 7) -> tuple[Path, dict[str, int]]:
    """A churn table whose class column is in the middle: the suggested target (the last column) is `region`,
    so the person has to choose `churned` themselves. Returns the file and its churned counts."""
    rng = random.Random(seed)
    table = []
    for _ in range(rows):
        churned = "yes" if rng.random() < 0.15 else "no"
        shift = 1.5 if churned == "yes" else 0.0
        table.append(
            {
                "tenure_months": round(rng.gauss(30 - 10 * shift, 8), 1),
                "monthly_bill": round(rng.gauss(60 + 15 * shift, 12), 2),
                "churned": churned,
                "support_calls": max(0, int(rng.gauss(2 + 2 * shift, 1.5))),
                "region": rng.choice(["north", "south", "east", "west"]),
            }
        )
    return write_csv(path, table), dict(Counter(row["churned"] for row in table))


# --- path 1 --------------------------------------------------------------------------------------------------


def test_sample_train_three_techniques_threshold_and_report(
    page: Page, app_url: str, tmp_path: Path, screenshots_dir: Path
) -> None:
    """Pick a sample, see its histogram; train three techniques; read the table and curves; move the threshold;
    download the HTML report and open it. Also saves the README's screenshot of every page."""
    open_app(page, app_url)
    choose(page, "sample_choice", MEDICAL)
    expect_histogram(page, "diagnosis", MEDICAL_COUNTS)
    expect(sidebar(page)).to_contain_text(MEDICAL)
    screenshot(page, screenshots_dir, "data")

    go_to(page, "Train & compare")
    main = main_area(page)
    expect(main).to_contain_text(f"Data: {MEDICAL}, target diagnosis")
    expect(main).to_contain_text("No results yet")
    picked = keyed(page, "techniques")
    for name in ("Baseline", "Class weights", "SMOTE"):
        expect(picked).to_contain_text(name)
    keyed(page, "max_epochs").locator("input").fill("8")
    keyed(page, "train_button").get_by_role("button", name="Train").click()

    # Wait for the results, or stop early at an error message (a broken Train fails in seconds, not minutes).
    results = main.get_by_role("heading", name="Metrics")
    problem = error_alerts(page).or_(page.get_by_test_id("stException"))
    expect(results.or_(problem).first).to_be_visible(timeout=ms(TRAIN_SECONDS))
    assert problem.count() == 0, f"training failed: {problem.first.inner_text()}"
    expect(results).to_be_visible()
    expect(main).to_contain_text("Trained 3 technique(s)")
    expect(sidebar(page)).to_contain_text("1 training run(s) kept in this session.")
    # The decision view's operating points, the metric table, the threshold table.
    expect(data_frames(page)).to_have_count(3)
    expect(keyed(page, "protocol_mode")).to_contain_text("Robust")  # 569 rows: K-fold is the default
    metrics = as_records(grid_rows(data_frames(page).nth(1)))
    assert set(metrics) == set(DEFAULT_TECHNIQUES)
    for technique, row in metrics.items():
        for column in ("PR-AUC", "Recall", "F1", "Precision", "ROC-AUC"):
            value = float(row[column].split(" ± ")[0])  # K-fold cells read "mean ± std"
            assert 0.0 <= value <= 1.0, f"{technique} {column} = {value}"
        assert float(row["ROC-AUC"].split(" ± ")[0]) > 0.7, f"{technique} barely learned the real sample: {row}"

    # The curves: each tab draws its Plotly figure with a curve per technique.
    main.get_by_role("tab", name="ROC curves").click()
    roc = keyed(page, "chart_roc")
    expect_plotly(
        roc, "ROC curves: malignant vs the rest", ["chance", *(f"{t} (pooled AUC 0." for t in DEFAULT_TECHNIQUES)]
    )
    main.get_by_role("tab", name="Precision-recall").click()
    pr = keyed(page, "chart_pr")
    expect_plotly(
        pr,
        "Precision-recall curves: malignant vs the rest",
        ["no skill", *(f"{t} (pooled AP 0." for t in DEFAULT_TECHNIQUES)],
    )

    # The threshold slider re-scores the stored predictions: the table's counts follow it. A person moves it
    # to a technique's tuned threshold with the button beside it.
    thresholds = data_frames(page).nth(2)
    at_half = as_records(grid_rows(thresholds))
    assert {row["Threshold"] for row in at_half.values()} == {"0.5"}
    slider = keyed(page, "threshold").get_by_role("slider")
    button = keyed(page, "use_tuned").get_by_role("button")
    tuned = float(re.search(r"Set slider to ([0-9.]+)", button.inner_text()).group(1))
    button.click()
    expect(slider).to_have_value(f"{tuned:g}", timeout=ms(STEP_SECONDS))
    expect(main).to_contain_text(f"Confusion matrices at threshold {tuned:.3f}", timeout=ms(STEP_SECONDS))
    threshold_cells = thresholds.locator('tbody td[aria-colindex="2"]')
    expect(threshold_cells).to_have_text([f"{tuned:g}"] * len(DEFAULT_TECHNIQUES), timeout=ms(STEP_SECONDS))
    at_tuned = as_records(grid_rows(thresholds))
    caught = "Caught (TP)"
    for technique in DEFAULT_TECHNIQUES:
        low, high = (
            (at_half[technique], at_tuned[technique]) if tuned >= 0.5 else (at_tuned[technique], at_half[technique])
        )
        assert int(high["False alarms (FP)"]) <= int(low["False alarms (FP)"]), (
            f"{technique}: higher threshold, more alarms"
        )
        assert int(high[caught]) + int(high["Missed (FN)"]) == int(low[caught]) + int(low["Missed (FN)"])
    assert any(at_half[t] != at_tuned[t] for t in DEFAULT_TECHNIQUES), "moving the threshold changed no number"

    # The HTML report downloads, and opens offline with its charts drawn.
    with page.expect_download(timeout=ms(LOAD_SECONDS)) as download_info:
        keyed(page, "download_html").get_by_role("button", name="HTML report").click()
    download = download_info.value
    assert download.suggested_filename == "imbalance_lab_report.html"
    report_path = tmp_path / download.suggested_filename
    download.save_as(report_path)
    report = page.context.new_page()
    report.route(re.compile(r"^https?://"), lambda route: route.abort())  # everything must be inside the file
    report.goto(report_path.as_uri())
    expect(report).to_have_title(f"Imbalance Lab report: {MEDICAL}")
    expect(report.locator("#summary")).to_contain_text("Use ")  # the recommendation comes first
    # Class histogram, expected cost, metric bars, ROC, PR, calibration, training curves, a confusion matrix each.
    expect(report.locator(".js-plotly-plot")).to_have_count(7 + len(DEFAULT_TECHNIQUES), timeout=ms(STEP_SECONDS))
    for plot in report.locator(".js-plotly-plot").all():
        expect(plot.locator(".main-svg").first).to_be_visible()
    expect(report.locator("body")).to_contain_text("ROC curves: malignant vs the rest")
    expect(report.locator("body")).to_contain_text(f"Metrics at threshold {tuned:.3f}")
    report.close()

    screenshot(page, screenshots_dir, "compare", top=main.get_by_role("heading", name="Metrics"))

    # The other two pages, on the same data, for the README.
    go_to(page, "Resample")
    expect_plotly(
        keyed(page, "chart_projection"),
        "What SMOTE changed",
        ["original majority (benign)", "original minority (malignant)", "synthetic (malignant)"],
    )
    screenshot(page, screenshots_dir, "resample", top=keyed(page, "chart_before"))
    go_to(page, "Learn")
    expect(main).to_contain_text(f"Every example below uses the loaded data: {MEDICAL}")
    expect_plotly(keyed(page, "chart_majority"), "A model that always answers the largest class")
    screenshot(page, screenshots_dir, "learn")


# --- path 2 --------------------------------------------------------------------------------------------------


def test_upload_csv_choose_target_and_resample(page: Page, app_url: str, tmp_path: Path) -> None:
    """Upload a CSV through the file input, choose its target, see the histogram, then the Resample page's 2-D view."""
    path, counts = customers_csv(tmp_path / "customers.csv")
    open_app(page, app_url)
    upload(page, path)
    expect(sidebar(page)).to_contain_text("customers.csv", timeout=ms(STEP_SECONDS))
    target = keyed(page, "target").get_by_role("combobox")
    expect(target).to_have_value("region")  # the suggestion: the last column

    choose(page, "target", "churned")
    expect(target).to_have_value("churned")
    expect_histogram(page, "churned", counts)
    expect(sidebar(page)).to_contain_text("Minority class: yes")
    expect(error_alerts(page)).to_have_count(0)

    go_to(page, "Resample")
    projection = keyed(page, "chart_projection")
    expect_plotly(
        projection,
        "What SMOTE changed: training rows in 2-D",
        ["original majority (no)", "original minority (yes)", "synthetic (yes)"],
    )
    expect(keyed(page, "chart_before")).to_contain_text("Before: training rows per class")
    expect(keyed(page, "chart_after")).to_contain_text("After SMOTE: training rows per class")
    expect(sidebar(page)).to_contain_text("customers.csv")


# --- path 3 --------------------------------------------------------------------------------------------------


def test_broken_upload_shows_error_and_keeps_earlier_data(page: Page, app_url: str, tmp_path: Path) -> None:
    """A broken file gives a readable message and no traceback; the earlier data stays and keeps working."""
    good, counts = customers_csv(tmp_path / "customers.csv")
    binary = tmp_path / "export.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04 not a table \xff\xfe" * 20)
    no_target = write_csv(tmp_path / "measurements.csv", [{"a": i * 0.37, "b": i * 1.91} for i in range(50)])

    open_app(page, app_url)
    upload(page, good)
    expect(sidebar(page)).to_contain_text("customers.csv", timeout=ms(STEP_SECONDS))
    choose(page, "target", "churned")
    expect_histogram(page, "churned", counts)

    for broken, explanation in (
        (binary, "export.csv contains binary data, not text"),
        (no_target, "No column of this file can be a class target"),
    ):
        upload(page, broken)
        alert = error_alerts(page)
        expect(alert).to_have_count(1, timeout=ms(STEP_SECONDS))
        expect(alert).to_contain_text(explanation)
        message = alert.inner_text()
        assert "Traceback" not in message and 'File "' not in message, message
        expect(page.get_by_test_id("stException")).to_have_count(0)
        # The earlier data and its chosen target are still the working data.
        expect(sidebar(page)).to_contain_text("customers.csv")
        expect(sidebar(page)).not_to_contain_text(broken.name)
        expect(keyed(page, "target").get_by_role("combobox")).to_have_value("churned")
        expect_histogram(page, "churned", counts)

    # Keep working: the Resample page runs on the earlier data.
    go_to(page, "Resample")
    projection = keyed(page, "chart_projection")
    expect_plotly(
        projection, "What SMOTE changed", ["original majority (no)", "original minority (yes)", "synthetic (yes)"]
    )


# --- path 4 --------------------------------------------------------------------------------------------------


def test_two_sessions_keep_their_own_data(new_context, app_url: str, tmp_path: Path) -> None:
    """Two people at once: one on the medical sample, one on an upload. Neither sees the other's data."""
    path, counts = customers_csv(tmp_path / "acme_churn_private.csv")
    first_context: BrowserContext = new_context()
    second_context: BrowserContext = new_context()
    first, second = first_context.new_page(), second_context.new_page()
    open_app(first, app_url)
    open_app(second, app_url)

    choose(first, "sample_choice", MEDICAL)
    upload(second, path)
    expect_histogram(first, "diagnosis", MEDICAL_COUNTS)
    expect(sidebar(second)).to_contain_text(path.name, timeout=ms(STEP_SECONDS))
    choose(second, "target", "churned")
    expect_histogram(second, "churned", counts)

    # Each person reruns their pages after the other acted; each sees only their own data.
    for page, own, other in ((first, MEDICAL, path.name), (second, path.name, MEDICAL)):
        go_to(page, "Train & compare")
        expect(main_area(page)).to_contain_text(f"Data: {own}")
        expect(main_area(page)).to_contain_text("No results yet")
        go_to(page, "Data")
        expect(sidebar(page)).to_contain_text(own)
        settle(page)
        for area in (main_area(page), sidebar(page)):
            expect(area).not_to_contain_text(other)
    expect_histogram(first, "diagnosis", MEDICAL_COUNTS)
    expect(histogram(first)).not_to_contain_text("churned")
    expect_histogram(second, "churned", counts)
    expect(histogram(second)).not_to_contain_text("malignant")
