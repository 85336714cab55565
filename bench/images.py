"""Issue 14: the bundled image sample 'nines', 5-fold CV. The CNN against an MLP on the same images
flattened (same folds, same seeds), and the default image comparison's wall time (target < 60 s on 2 cores).

Run: .venv/bin/python bench/images.py [--folds 5] [--techniques baseline,image_augment,class_weight]
"""

from __future__ import annotations

import argparse
import time

from common import machine, save


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--techniques", default="baseline,image_augment,class_weight")
    arguments = parser.parse_args()
    import keras  # noqa: F401  (TensorFlow's start-up is not part of the comparison)

    from imbal_core.data.image_encoder import IMAGE_TARGET, to_frame
    from imbal_core.data.images import load_image_zip
    from imbal_core.data.samples import sample_path
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    frame = to_frame(load_image_zip(sample_path("nines")))
    flattened = frame.copy()
    flattened.attrs = {}  # the same pixels as a plain table: the engine's MLP, with its scaling
    protocol = Protocol(mode="cv", folds=arguments.folds, seed=0)
    report = {"machine": machine(), "sample": "nines", "rows": len(frame), "protocol": protocol.to_json()}
    for body, data, ids in (
        ("cnn", frame, arguments.techniques.split(",")),
        ("mlp_flattened", flattened, [name for name in arguments.techniques.split(",") if name != "image_augment"]),
    ):
        specs = [make_spec(technique) for technique in ids]
        started = time.perf_counter()
        comparison = run_comparison(data, IMAGE_TARGET, specs, protocol)
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
        print(f"{body}: {len(data)} images, {len(specs)} techniques, {protocol.n_splits} folds: {wall:.1f}s")
        for name, row in rows.items():
            print(f"  {name:14} PR-AUC {row['pr_auc']:.3f} ± {row['pr_auc_std']:.3f}  fit {row['fit_s']:.1f}s")
        report[body] = {"wall_s": round(wall, 2), "network": comparison.settings.to_json(), "results": rows}
    save("images_nines", report)


if __name__ == "__main__":
    main()
