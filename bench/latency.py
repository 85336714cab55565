"""Issue 6.3: interactive latency measured with Streamlit's AppTest (the script run, not browser paint).

Run: .venv/bin/python bench/latency.py [--repeats 5]
Targets: first render without TensorFlow < 1.5 s; threshold-slider rerun with results < 0.2 s.
A slider move reruns only the threshold section (an st.fragment) in a browser; AppTest reruns the
whole script, so both are reported: the fragment's own time and the whole-script rerun.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from common import ROOT, machine, save

APP = str(ROOT / "app.py")

FIRST_RENDER = """
import sys, time
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
app = AppTest.from_file({app!r}, default_timeout=60).run()
elapsed = time.perf_counter() - started
assert not app.exception, [element.value for element in app.exception]
print(f"seconds={{elapsed:.3f}} tensorflow_imported={{'tensorflow' in sys.modules}}")
"""


def first_render(repeats: int) -> dict:
    """Each run in a fresh interpreter, so nothing is warm (only the OS file cache)."""
    times, imported = [], []
    for _ in range(repeats):
        output = subprocess.run(
            [sys.executable, "-c", FIRST_RENDER.format(app=APP)], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout
        fields = dict(part.split("=") for part in output.split())
        times.append(float(fields["seconds"]))
        imported.append(fields["tensorflow_imported"] == "True")
    return {"median_s": round(statistics.median(times), 3), "all_s": times, "tensorflow_imported": any(imported)}


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timing_threshold_section(spent: list[float]) -> None:
    """Wrap the dashboard's threshold section (an st.fragment) to record how long each run of it takes.

    AppTest always reruns the whole script, but in a browser a slider move reruns only this fragment,
    so its own time is the server-side cost of a move. AppTest runs the script in this process, so
    wrapping the module attribute is enough."""
    import ui.results

    section = ui.results._threshold_section

    def timed_section(*arguments, **keywords):
        started = time.perf_counter()
        try:
            return section(*arguments, **keywords)
        finally:
            spent.append(time.perf_counter() - started)

    ui.results._threshold_section = timed_section


def with_results(repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))
    fragment_runs: list[float] = []
    timing_threshold_section(fragment_runs)
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("pages/compare.py").run()
    app.multiselect(key="techniques").set_value(["baseline", "class_weight", "smote"])
    app.number_input(key="max_epochs").set_value(20)
    train_seconds = timed(lambda: app.button(key="train_button").click().run(timeout=300))
    assert not app.exception and app.session_state["runs"], "training did not produce results"
    trainings = app.session_state["training_count"]
    slider, page_switch = [], []
    fragment_runs.clear()
    for index in range(repeats):
        value = 0.3 + 0.1 * (index % 5)
        slider.append(timed(lambda value=value: app.slider(key="threshold").set_value(value).run()))
    for _ in range(repeats):
        page_switch.append(timed(lambda: app.switch_page("pages/data.py").run()))
        page_switch.append(timed(lambda: app.switch_page("pages/compare.py").run()))
    fragment_seconds = fragment_runs[:repeats]
    assert app.session_state["training_count"] == trainings, "a rerun retrained"
    return {
        "threshold_fragment_median_s": round(statistics.median(fragment_seconds), 3),
        "threshold_fragment_all_s": [round(value, 3) for value in fragment_seconds],
        "train_to_charts_s (fraud 20k rows, 3 techniques, max 20 epochs)": round(train_seconds, 2),
        "threshold_rerun_median_s": round(statistics.median(slider), 3),
        "threshold_rerun_all_s": [round(value, 3) for value in slider],
        "page_switch_median_s": round(statistics.median(page_switch), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    summary = {
        "machine": machine(),
        "first_render": first_render(arguments.repeats),
        "with_results": with_results(arguments.repeats),
    }
    print(summary)
    save("latency", summary)


if __name__ == "__main__":
    main()
