"""Issue 14.6: a 150 MB CSV shaped like the TensorFlow tutorial's card-fraud table uploads in Chromium.

Run: cd bench && ../.venv/bin/python upload.py
Writes a seeded 284,807 x 31 CSV (Time, V1..V28, Amount, Class; 492 frauds, as in the public table),
starts `streamlit run app.py`, uploads the file through the Data page's file input in Chromium, and waits
until the class histogram is drawn. Reports the seconds from choosing the file to the drawn histogram and
the server's resident memory before and after (one session holding the table).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import ROOT, machine, save

sys.path.insert(0, str(ROOT))
ROWS, FRAUDS = 284_807, 492


def write_table(path: Path) -> int:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"Time": np.sort(rng.integers(0, 172_792, ROWS)).astype(float)})
    for index in range(1, 29):
        frame[f"V{index}"] = rng.normal(size=ROWS)
    frame["Amount"] = np.round(rng.lognormal(3, 1.5, ROWS), 2)
    labels = np.zeros(ROWS, dtype=int)
    labels[rng.choice(ROWS, FRAUDS, replace=False)] = 1
    frame["Class"] = labels
    frame.to_csv(path, index=False, float_format="%.13f")  # the public file writes about 15 digits
    return path.stat().st_size


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import streamlit_server

    folder = Path(tempfile.mkdtemp())
    table = folder / "creditcard_shaped.csv"
    size = write_table(table)
    with streamlit_server(folder / "server.log") as url:
        server = subprocess.run(["pgrep", "-f", "streamlit run app.py"], capture_output=True, text=True)
        pid = int(server.stdout.split()[-1])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible(
                timeout=60_000
            )
            time.sleep(2)
            before = resident_mb(pid)
            page.get_by_test_id("stMain").get_by_role("tab", name="Upload your own").click()
            started = time.perf_counter()
            page.locator('.st-key-upload input[type="file"]').set_input_files(table)
            expect(page.get_by_test_id("stSidebar")).to_contain_text(table.name, timeout=600_000)
            chart = page.locator(".st-key-chart_class_histogram")
            expect(chart).to_contain_text("Rows per class of Class", timeout=600_000)
            expect(chart).to_contain_text(f"{FRAUDS}", timeout=60_000)
            seconds = time.perf_counter() - started
            after = resident_mb(pid)
            browser.close()
    result = {
        "machine": machine(),
        "file_mb": round(size / 1e6, 1),
        "rows": ROWS,
        "columns": 31,
        "upload_to_histogram_seconds": round(seconds, 1),
        "server_rss_mb_before": round(before),
        "server_rss_mb_after": round(after),
        "session_mb": round(after - before),
    }
    save("upload", result)
    print(result)


if __name__ == "__main__":
    main()
