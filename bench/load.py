"""Issue 13.4: a classroom at once. N browser sessions on one `streamlit run` each press Train together.

Run: cd bench && ../.venv/bin/python load.py [--sessions 20]
Each Chromium page opens Train & compare on the medical sample with the default techniques (few epochs,
quick split, so the measurement is about the server, not the network), and all press Train within a
second. Meanwhile a thread polls /_stcore/health every 0.25 s. Recorded: when each session saw its
results, the longest health-check answer, what a waiting page said about its place in the queue, and
the server's resident memory at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import ROOT, machine, save

sys.path.insert(0, str(ROOT))
EPOCHS = 5


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def poll_health(url: str, stop: threading.Event, answers: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        with contextlib.suppress(OSError):  # a refused answer still counts its time
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=30).read()
        answers.append(time.perf_counter() - started)
        time.sleep(0.25)


def main(sessions: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import streamlit_server

    folder = Path(tempfile.mkdtemp())
    environment = {"IMBAL_LAB_HISTORY": str(folder / "history.sqlite3")}
    with streamlit_server(folder / "server.log", environment) as url:
        pid = int(
            subprocess.run(["pgrep", "-f", "streamlit run app.py"], capture_output=True, text=True).stdout.split()[-1]
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            pages = []
            for _ in range(sessions):
                page = browser.new_context().new_page()
                page.goto(f"{url}/compare?sample=medical&folds=1")
                expect(page.locator(".st-key-train_button")).to_be_visible(timeout=120_000)
                page.locator(".st-key-max_epochs input").fill(str(EPOCHS))
                pages.append(page)
            stop, answers = threading.Event(), []
            poller = threading.Thread(target=poll_health, args=(url, stop, answers))
            poller.start()
            started = time.perf_counter()
            for page in pages:
                page.locator(".st-key-train_button button").click()
            finished, queue_messages = {}, []
            deadline = time.monotonic() + 1800
            while len(finished) < sessions and time.monotonic() < deadline:
                for index, page in enumerate(pages):
                    if index in finished:
                        continue
                    text = page.locator('[data-testid="stMain"]').inner_text(timeout=60_000)
                    if "Trained 3 technique(s)" in text:
                        finished[index] = time.perf_counter() - started
                    elif "Waiting for the trainer" in text and len(queue_messages) < 5:
                        line = next(line for line in text.splitlines() if "Waiting for the trainer" in line)
                        queue_messages.append(line.strip())
                time.sleep(0.5)
            stop.set()
            poller.join()
            memory = resident_mb(pid)
            browser.close()
    result = {
        "machine": machine(),
        "sessions": sessions,
        "all_finished": len(finished) == sessions,
        "first_done_seconds": round(min(finished.values()), 1) if finished else None,
        "last_done_seconds": round(max(finished.values()), 1) if finished else None,
        "health_answers": len(answers),
        "health_max_seconds": round(max(answers), 3) if answers else None,
        "health_median_seconds": round(statistics.median(answers), 3) if answers else None,
        "health_p95_seconds": round(statistics.quantiles(answers, n=20)[-1], 3) if len(answers) > 1 else None,
        "health_over_1s": sum(answer > 1.0 for answer in answers),
        "server_rss_mb_end": round(memory),
        "queue_messages_seen": queue_messages,
    }
    save(f"load_{sessions}", result)
    print(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    main(parser.parse_args().sessions)
