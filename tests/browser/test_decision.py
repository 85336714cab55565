"""A stakeholder's path: the fraud sample with its costs, a recommendation, each technique at its own threshold,
and the same figures as the headless CLI for the same settings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import (
    STEP_SECONDS,
    TRAIN_SECONDS,
    as_records,
    choose,
    data_frames,
    error_alerts,
    go_to,
    grid_rows,
    keyed,
    main_area,
    ms,
    open_app,
    screenshot,
    settle,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TECHNIQUES = ("baseline", "class_weight", "smote")
EPOCHS = 5
FRAUD_COSTS = {"cost_false_alarm": "5", "cost_miss": "500", "cost_volume": "10000"}


def start_cli() -> subprocess.Popen:
    """The CLI on the settings the browser uses (same sample, techniques, epochs, seed and costs), started now so
    that it trains while the browser does."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imbal_core",
            "compare",
            str(ROOT / "sample_data" / "fraud.csv"),
            "--target",
            "is_fraud",
            "--techniques",
            ",".join(TECHNIQUES),
            "--epochs",
            str(EPOCHS),
            "--cost-fp",
            "5",
            "--cost-fn",
            "500",
            "--volume",
            "10000",
            "--period",
            "day",
            "--json",
            "-",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli_decisions(cli: subprocess.Popen) -> dict:
    """The CLI's JSON, once it has finished."""
    out, err = cli.communicate(timeout=600)
    assert cli.returncode == 0, err
    return json.loads(out)


@pytest.fixture
def cli() -> Iterator[subprocess.Popen]:
    """The CLI's run, started before the browser's and stopped if the test ends before it does."""
    process = start_cli()
    yield process
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_fraud_costs_give_a_recommendation_that_matches_the_cli(
    page: Page, app_url: str, screenshots_dir: Path, cli: subprocess.Popen
):
    open_app(page, app_url)
    choose(page, "sample_choice", "Card fraud (synthetic)")
    go_to(page, "Train & compare")
    main = main_area(page)
    expect(keyed(page, "protocol_mode")).to_contain_text("Quick")  # 20,000 rows: one split is enough here
    keyed(page, "max_epochs").locator("input").fill(str(EPOCHS))
    keyed(page, "train_button").get_by_role("button", name="Train").click()
    heading = main.get_by_role("heading", name="Decision: which technique, at which threshold, at what cost")
    problem = error_alerts(page).or_(page.get_by_test_id("stException"))
    expect(heading.or_(problem).first).to_be_visible(timeout=ms(TRAIN_SECONDS))
    assert problem.count() == 0, f"training failed: {problem.first.inner_text()}"
    settle(page)

    # The fraud sample's stated defaults are the costs of the issue: a false alarm 5, a miss 500, 10,000 a day.
    for key, value in FRAUD_COSTS.items():
        expect(keyed(page, key).locator("input")).to_have_value(value)
    expect(main).to_contain_text("Defaults for a fraud desk")

    document = cli_decisions(cli)
    recommendation = document["recommendation"]
    box = main.get_by_text(f"Use {recommendation['name']} at threshold {recommendation['threshold']:.3f}")
    expect(box).to_be_visible(timeout=ms(STEP_SECONDS))
    expect(box).to_contain_text(f"{recommendation['cost_per_period']:,.0f} a day")
    expect(box).to_contain_text(f"raise {recommendation['alerts_per_period']:,.0f} alerts a day")

    table = as_records(grid_rows(data_frames(page).nth(0)))
    names = {result["technique"]: result["decision"] for result in document["results"]}
    shown_names = {"baseline": "Baseline", "class_weight": "Class weights", "smote": "SMOTE"}
    for technique, decision in names.items():
        row = table[shown_names[technique]]
        assert float(row["Threshold"]) == pytest.approx(decision["threshold"], abs=1e-9), (technique, row)
        # The grid draws only the columns in view; these come first.
        assert float(row["Cost per day"]) == pytest.approx(decision["cost_per_period"], rel=1e-9)
        assert float(row["Alerts per day"]) == pytest.approx(decision["alerts_per_1000"] * 10, rel=1e-9)  # 10,000/day
        assert float(row["Caught per day"]) == pytest.approx(decision["caught_per_period"], rel=1e-9)
    expect(keyed(page, "chart_expected_cost").locator(".js-plotly-plot .main-svg").first).to_be_visible()
    screenshot(page, screenshots_dir, "decision", top=heading)

    # A dearer miss never raises a threshold: the page redraws without retraining.
    keyed(page, "cost_miss").locator("input").fill("5000")
    keyed(page, "cost_miss").locator("input").press("Enter")
    settle(page)
    dearer = as_records(grid_rows(data_frames(page).nth(0)))
    for name, row in dearer.items():
        assert float(row["Threshold"]) <= float(table[name]["Threshold"]) + 1e-9, name
