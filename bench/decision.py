"""Issue 11: the decision view's redraw time when a cost changes, and the HTML report's size.

Run: .venv/bin/python bench/decision.py
Target: the decision fragment redraws in under 0.3 s for five techniques (5-fold CV on the fraud
sample, 20,000 rows), measured inside the fragment (ui/decision.py records its own time in
session state: operating points, recommendation, warnings and the cost-curve figure). The report
is the offline HTML file the dashboard downloads and `compare --html` writes, for the same run.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from common import ROOT, machine, save

TECHNIQUES = ["baseline", "class_weight", "focal_loss", "smote", "random_under"]
MISS_COSTS = [500.0, 1000.0, 250.0, 2000.0, 750.0, 100.0, 5000.0]


def main() -> None:
    import os
    import sys
    import tempfile

    # Runs save to the history; keep the benchmark's out of the person's own.
    os.environ.setdefault("IMBAL_LAB_HISTORY", str(Path(tempfile.mkdtemp()) / "history.sqlite3"))

    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from ui import keys

    app = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=900)
    app.run()  # opens on the fraud sample, the dashboard's default
    app.multiselect(key="techniques").set_value(TECHNIQUES)
    app.radio(key="protocol_mode").set_value("cv")
    started = time.perf_counter()
    app.button(key="train_button").click().run()
    train_seconds = time.perf_counter() - started
    assert not app.exception, [element.value for element in app.exception]
    fragment_seconds = []
    for miss in MISS_COSTS:
        app.number_input(key="cost_miss").set_value(miss).run()
        fragment_seconds.append(app.session_state[keys.DECISION_TIMING.name])
    comparison = app.session_state["runs"][-1].comparison
    from imbal_core.decide.costs import Costs
    from imbal_core.present.report_html import comparison_report

    started = time.perf_counter()
    report = comparison_report(comparison, "Card fraud (synthetic)", costs=Costs(5, 500, 0, 10_000, "day"))
    report_seconds = time.perf_counter() - started
    result = {
        "machine": machine(),
        "techniques": TECHNIQUES,
        "protocol": "5-fold CV, fraud sample (20,000 rows)",
        "train_seconds": round(train_seconds, 1),
        "fragment_seconds_median": round(statistics.median(fragment_seconds), 4),
        "fragment_seconds_max": round(max(fragment_seconds), 4),
        "fragment_seconds_all": [round(value, 4) for value in fragment_seconds],
        "report_bytes": len(report.encode("utf-8")),
        "report_build_seconds": round(report_seconds, 2),
    }
    save("decision", result)
    print(result)


if __name__ == "__main__":
    main()
