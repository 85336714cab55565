"""The offline HTML report in Chromium: every chart drawn inside its own box, nothing overlapping, at a wide and a
narrow window; the summary before every chart and the settings after every chart; no request leaves the file.

The report is built from fake results (five techniques, five folds, validation rows included), so no network
trains here; conftest.py launches Debian's Chromium.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page

from imbal_core.decide.costs import Costs
from imbal_core.present import report_html
from imbal_core.run import evaluate
from tests.support.fakes import fake_comparison, fake_folds_result

pytestmark = pytest.mark.browser

WIDTHS = (1400, 800)
RENDER_MS = 30_000
# Long class names: the predicted-class column of a confusion matrix is what used to hide under the next chart.
LABELS = ("legitimate payment", "fraudulent payment")
TECHNIQUES = {"baseline": 1.2, "class_weight": 1.6, "focal_loss": 1.4, "smote": 1.0, "random_under": 0.8}

BOXES_SCRIPT = """
() => {
  const box = (element) => {
    const rect = element.getBoundingClientRect();
    return {x: rect.left + window.scrollX, y: rect.top + window.scrollY, width: rect.width, height: rect.height};
  };
  const charts = [...document.querySelectorAll(".js-plotly-plot")].map((plot) => {
    const drawn = [...plot.querySelectorAll("svg.main-svg")].map(box);
    return {
      id: plot.id,
      ...box(plot),
      drawnRight: Math.max(...drawn.map((svg) => svg.x + svg.width)),
      drawnBottom: Math.max(...drawn.map((svg) => svg.y + svg.height)),
    };
  });
  const tables = [...document.querySelectorAll(".table-wrap")].map((wrap) => ({
    id: wrap.querySelector("table").id,
    ...box(wrap),
  }));
  const sections = Object.fromEntries([...document.querySelectorAll("section[id]")].map((s) => [s.id, box(s)]));
  return {charts, tables, sections, pageWidth: document.documentElement.clientWidth};
}
"""


def five_technique_comparison(folds: int = 5, rows: int = 600, seed: int = 3) -> evaluate.Comparison:
    """Five techniques over `folds` folds, each fold with test and validation rows at a 10% minority share."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(rows) % 10 == 0).astype(np.int64)
    results = []
    for technique_id, signal in TECHNIQUES.items():
        per_fold = []
        for _ in range(folds):
            scores = [
                np.clip(0.15 + 0.25 * signal * labels + rng.normal(0, 0.15, rows), 0.0, 1.0) for _ in ("test", "val")
            ]
            per_fold.append((labels, scores[0], labels, scores[1]))
        results.append(fake_folds_result(technique_id, per_fold))
    comparison = fake_comparison(results, labels=LABELS)
    comparison.protocol = evaluate.Protocol(mode="cv", folds=folds)
    comparison.dataset = {
        "rows": rows * folds,
        "features": 7,
        "target": "outcome",
        "class_counts": {LABELS[0]: int((labels == 0).sum()) * folds, LABELS[1]: int(labels.sum()) * folds},
        "minority_class": LABELS[1],
        "imbalance_ratio": 9.0,
    }
    return comparison


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = report_html.comparison_report(
        five_technique_comparison(), "payments.csv", costs=Costs(false_alarm=5, miss=500, volume=10_000)
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def open_report(page: Page, report_file: Path, width: int) -> tuple[dict, list[str]]:
    """Open the file at `width` px, with every network request refused and recorded; wait for every chart."""
    requests: list[str] = []

    def refuse(route) -> None:
        if not route.request.url.startswith("file:"):
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/*", refuse)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(report_file.as_uri(), wait_until="load")
    expected = report_file.read_text(encoding="utf-8").count('class="plotly-graph-div"')
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= n "
        "&& [...document.querySelectorAll('.js-plotly-plot')].length === n",
        arg=expected,
        timeout=RENDER_MS,
    )
    # Let the resize observer's redraws land: two animation frames.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    boxes = page.evaluate(BOXES_SCRIPT)
    assert len(boxes["charts"]) == expected
    assert not errors, errors
    return boxes, requests


def overlap(first: dict, second: dict, tolerance: float = 0.5) -> bool:
    return (
        first["x"] + first["width"] > second["x"] + tolerance
        and second["x"] + second["width"] > first["x"] + tolerance
        and first["y"] + first["height"] > second["y"] + tolerance
        and second["y"] + second["height"] > first["y"] + tolerance
    )


def drawn_box(chart: dict) -> dict:
    """What the chart really covers: its div, or its drawing when that spills out of the div."""
    right = max(chart["x"] + chart["width"], chart["drawnRight"])
    bottom = max(chart["y"] + chart["height"], chart["drawnBottom"])
    return {"x": chart["x"], "y": chart["y"], "width": right - chart["x"], "height": bottom - chart["y"]}


@pytest.mark.parametrize("width", WIDTHS)
def test_report_charts_and_tables_never_overlap(page: Page, report_file: Path, width: int):
    boxes, requests = open_report(page, report_file, width)
    assert not requests, f"the report asked the network for {requests}"
    charts, tables = boxes["charts"], boxes["tables"]
    assert len(charts) >= 12 and len(tables) >= 6
    for chart in charts:
        # Drawn inside its own box (to the pixel), filling its width, and within the window.
        assert chart["drawnRight"] <= chart["x"] + chart["width"] + 1, chart
        assert chart["drawnBottom"] <= chart["y"] + chart["height"] + 1, chart
        assert chart["width"] > 200 and chart["height"] > 200, chart
        assert chart["x"] + chart["width"] <= boxes["pageWidth"] + 1, chart
    items = [("chart " + chart["id"], drawn_box(chart)) for chart in charts]
    items += [("table " + table["id"], table) for table in tables]
    for position, (name, box) in enumerate(items):
        for other_name, other in items[position + 1 :]:
            assert not overlap(box, other), f"{name} {box} overlaps {other_name} {other} at {width} px"
    for table in tables:
        assert table["x"] + table["width"] <= boxes["pageWidth"] + 1, table


@pytest.mark.parametrize("width", WIDTHS)
def test_report_summary_comes_first_and_settings_last(page: Page, report_file: Path, width: int):
    boxes, _ = open_report(page, report_file, width)
    summary, settings = boxes["sections"]["summary"], boxes["sections"]["settings"]
    first_chart = min(chart["y"] for chart in boxes["charts"])
    last_chart = max(chart["y"] + chart["height"] for chart in boxes["charts"])
    assert summary["height"] > 50
    assert summary["y"] + summary["height"] <= first_chart
    assert min(table["y"] for table in boxes["tables"]) >= summary["y"] + summary["height"]
    assert settings["y"] >= last_chart


def test_confusion_matrices_share_a_row_when_wide_and_stack_when_narrow(page: Page, report_file: Path):
    """The grid really is a grid: several matrices per row at 1400 px, fewer at 800 px, none squeezed."""
    per_row = {}
    for width in WIDTHS:
        boxes, _ = open_report(page, report_file, width)
        confusion = boxes["sections"]["confusion"]
        inside = [
            chart for chart in boxes["charts"] if confusion["y"] <= chart["y"] < confusion["y"] + confusion["height"]
        ]
        assert len(inside) == len(TECHNIQUES)
        first_row = min(chart["y"] for chart in inside)
        per_row[width] = sum(1 for chart in inside if abs(chart["y"] - first_row) < 1)
        assert min(chart["width"] for chart in inside) >= 280
    assert per_row[1400] >= 3 and per_row[800] < per_row[1400], per_row
