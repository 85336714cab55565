"""Issue 15: reopening a stored run redraws without retraining; the database size per run.

Run: cd bench && ../.venv/bin/python history.py
Trains the six default techniques with 5-fold CV on the fraud sample (once), saves the run to a fresh
history file, shares it, then opens the share link in a new AppTest session and times the Train &
compare page's script run that draws it (whole script: decision view, tables, curves). Target < 1 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine, save

sys.path.insert(0, str(ROOT))
os.environ["IMBAL_LAB_HISTORY"] = str(Path(tempfile.mkdtemp()) / "history.sqlite3")

REPEATS = 5


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from imbal_core.data.samples import get_sample, sample_path
    from imbal_core.data.tables import load_table
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.store.history import History
    from imbal_core.techniques.catalogue import DEFAULT_TECHNIQUES, make_spec

    sample = get_sample("fraud")
    frame = load_table(sample_path("fraud")).frame
    started = time.perf_counter()
    comparison = run_comparison(
        frame, sample.target, [make_spec(technique) for technique in DEFAULT_TECHNIQUES], Protocol(mode="cv", folds=5)
    )
    train_seconds = time.perf_counter() - started
    path = Path(os.environ["IMBAL_LAB_HISTORY"])
    history = History(path)
    empty_bytes = path.stat().st_size
    started = time.perf_counter()
    run_id = history.save(comparison, "bench", "fraud 5-fold", sample.title, "bench-digest", sample_id="fraud")
    save_seconds = time.perf_counter() - started
    share_id = history.share(run_id, "bench")
    bytes_per_run = path.stat().st_size - empty_bytes
    load_times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        History(path).load_shared(share_id)
        load_times.append(time.perf_counter() - started)
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # warm: imports, as a running server is
    redraw_times = []
    for _ in range(REPEATS):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        app.query_params["run"] = share_id
        app.run()  # the link opens the stored run into the new session
        assert app.session_state["runs"], "the shared run did not open"
        app.switch_page("pages/compare.py")
        started = time.perf_counter()
        app.run()  # Train & compare draws it: decision view, tables, curves; nothing retrains
        redraw_times.append(time.perf_counter() - started)
        assert not app.exception, [element.value for element in app.exception]
    result = {
        "machine": machine(),
        "run": "6 default techniques, 5-fold CV, fraud sample (20,000 rows)",
        "train_seconds": round(train_seconds, 1),
        "save_seconds": round(save_seconds, 3),
        "bytes_per_run": bytes_per_run,
        "load_seconds_median": round(statistics.median(load_times), 4),
        "redraw_seconds_median": round(statistics.median(redraw_times), 3),
        "redraw_seconds_all": [round(value, 3) for value in redraw_times],
    }
    save("history", result)
    print(result)


if __name__ == "__main__":
    main()
