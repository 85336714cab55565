"""Issue 13, item 6: does an average over several seeds per network lift PR-AUC on the bundled samples?

Default techniques, 5-fold CV, seed 0, on each bundled table sample: ModelSettings() against
ModelSettings(seed_average=N); PR-AUC per technique (mean over folds) and the comparison's time.

Run: .venv/bin/python bench/quality.py [--average 3] [--samples maintenance fraud medical spam sms]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from common import machine, save


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--average", type=int, default=3)
    parser.add_argument("--samples", nargs="+", default=["maintenance", "fraud", "medical", "spam", "sms"])
    arguments = parser.parse_args()
    import keras  # noqa: F401  (not part of any comparison's time)

    from imbal_core.data.samples import get_sample, sample_path
    from imbal_core.data.tables import load_table
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import DEFAULT_TECHNIQUES, make_spec

    specs = [make_spec(technique) for technique in DEFAULT_TECHNIQUES]
    rows = []
    for sample_id in arguments.samples:
        sample = get_sample(sample_id)
        frame = load_table(sample_path(sample.id)).frame
        measured = {}
        for label, settings in (
            ("one", ModelSettings()),
            ("averaged", replace(ModelSettings(), seed_average=arguments.average)),
        ):
            started = time.perf_counter()
            comparison = run_comparison(frame, sample.target, specs, Protocol(mode="cv", folds=5, seed=0), settings)
            measured[label] = {
                "seconds": round(time.perf_counter() - started, 1),
                "pr_auc": {r.spec.technique_id: round(r.metrics["pr_auc"], 4) for r in comparison.results},
            }
        gains = {
            t: round(measured["averaged"]["pr_auc"][t] - measured["one"]["pr_auc"][t], 4)
            for t in measured["one"]["pr_auc"]
        }
        rows.append({"sample": sample_id, **measured, "gain": gains})
        print(
            f"{sample_id:12} one network {measured['one']['seconds']:5.1f} s, average of {arguments.average} "
            f"{measured['averaged']['seconds']:5.1f} s; PR-AUC gain per technique {gains}",
            flush=True,
        )
    save("quality_seed_average", {"machine": machine(), "average": arguments.average, "rows": rows})


if __name__ == "__main__":
    main()
