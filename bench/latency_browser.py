"""Issue 6.3, as a person feels it: the same interactions timed in Debian's Chromium against `streamlit run`.

AppTest always reruns the whole script, so it cannot see that the threshold section is an `st.fragment`;
here the slider moves in a real browser and only the fragment reruns.
Run: .venv/bin/python bench/latency_browser.py [--repeats 8]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

from common import ROOT, machine, save
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, VIEWPORT, _free_port  # noqa: E402
from test_paths import choose, go_to, keyed, main_area, open_app  # noqa: E402


def start_server(port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    for _ in range(180):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not become healthy")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=8)
    arguments = parser.parse_args()
    port = _free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport=VIEWPORT)
            started = time.perf_counter()
            open_app(page, url)  # until the fraud sample's class histogram is drawn
            first_paint = time.perf_counter() - started
            choose(page, "sample_choice", "Breast cancer biopsies (real)")
            go_to(page, "Train & compare")
            keyed(page, "max_epochs").locator("input").fill("8")
            started = time.perf_counter()
            keyed(page, "train_button").get_by_role("button", name="Train").click()
            expect(main_area(page).get_by_role("heading", name="Results")).to_be_visible(timeout=180_000)
            expect(keyed(page, "chart_confusion_0_smote").locator(".js-plotly-plot")).to_be_visible(timeout=60_000)
            train_to_charts = time.perf_counter() - started
            slider = keyed(page, "threshold").get_by_role("slider")
            moves = []
            for index in range(arguments.repeats):
                value = round(0.51 + 0.01 * index, 2)
                started = time.perf_counter()
                slider.press("ArrowRight")
                expect(main_area(page)).to_contain_text(f"Confusion matrices at threshold {value:.2f}", timeout=10_000)
                page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=10_000)
                moves.append(time.perf_counter() - started)
            switches = []
            for _ in range(3):
                started = time.perf_counter()
                go_to(page, "Data")
                switches.append(time.perf_counter() - started)
                started = time.perf_counter()
                go_to(page, "Train & compare")
                expect(keyed(page, "chart_roc").or_(keyed(page, "threshold")).first).to_be_visible(timeout=30_000)
                switches.append(time.perf_counter() - started)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    summary = {
        "machine": machine(),
        "first_paint_to_histogram_s (cold server, fraud sample)": round(first_paint, 2),
        "train_to_charts_s (medical sample, 3 techniques, max 8 epochs)": round(train_to_charts, 2),
        "threshold_move_to_redrawn_median_s": round(statistics.median(moves), 3),
        "threshold_move_all_s": [round(value, 3) for value in moves],
        "page_switch_median_s": round(statistics.median(switches), 3),
    }
    print(summary)
    save("latency_browser", summary)


if __name__ == "__main__":
    main()
