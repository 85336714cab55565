"""Issue 6.4: the default techniques in 5-fold CV on the 10k-row maintenance sample (target < 30 s on 2 cores).

Run: .venv/bin/python bench/full_comparison.py [--folds 5] [--sample maintenance]
"""

from __future__ import annotations

import argparse
import time

from common import machine, save


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sample", default="maintenance")
    arguments = parser.parse_args()
    import keras  # noqa: F401  (the import is timed separately below)

    from imbal_core.data.samples import get_sample, sample_path
    from imbal_core.data.tables import load_table
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import DEFAULT_TECHNIQUES, make_spec

    sample = get_sample(arguments.sample)
    frame = load_table(sample_path(sample.id)).frame
    specs = [make_spec(technique) for technique in DEFAULT_TECHNIQUES]
    for mode, protocol in (("quick", Protocol(seed=0)), ("cv", Protocol(mode="cv", folds=arguments.folds, seed=0))):
        started = time.perf_counter()
        comparison = run_comparison(frame, sample.target, specs, protocol)
        wall = time.perf_counter() - started
        rows = {
            result.spec.technique_id: {
                "pr_auc": round(result.metrics["pr_auc"], 4),
                "pr_auc_std": round(result.metrics_std["pr_auc"], 4),
                "recall": round(result.metrics["recall"], 4),
                "fit_s": round(result.fit_seconds, 2),
                "epochs": [len(history["loss"]) for history in result.histories],
            }
            for result in comparison.results
        }
        print(f"{mode}: {len(frame)} rows, {len(specs)} techniques, {protocol.n_splits} split(s): {wall:.1f}s")
        for name, row in rows.items():
            print(f"  {name:14} PR-AUC {row['pr_auc']:.3f} ± {row['pr_auc_std']:.3f}  fit {row['fit_s']:.1f}s")
        save(
            f"full_comparison_{mode}",
            {
                "machine": machine(),
                "sample": sample.id,
                "rows": len(frame),
                "protocol": protocol.to_json(),
                "wall_s": round(wall, 2),
                "results": rows,
            },
        )


if __name__ == "__main__":
    main()
