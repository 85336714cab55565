"""Issue 13: how far the default comparison is from its arithmetic limit at this machine's matmul rate.

Counts, for every stacked epoch, the weights times rows each network trains on (its own steps, its own
batch) and the rows the stack actually computes (padding and masked steps included); 6 floating-point
operations per weight per row (forward and backward). The limit is that work at the measured float32
matmul rate.

Run: .venv/bin/python bench/arithmetic.py [--sample maintenance] [--folds 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import machine, matmul_gflops, save, training_flops


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", default="maintenance")
    parser.add_argument("--folds", type=int, default=5)
    arguments = parser.parse_args()
    import imbal_core.nets.stacked as stacked
    from imbal_core.data.samples import get_sample, sample_path
    from imbal_core.data.tables import load_table
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import DEFAULT_TECHNIQUES, make_spec

    rates = matmul_gflops()  # imports TensorFlow too, so the comparison below does not pay for it
    counted = {"useful": 0.0, "computed": 0.0, "epochs": 0, "epoch_seconds": 0.0}
    run_epoch = stacked._Stack.run_epoch

    def counting(stack, epoch: int) -> None:
        weights = weights_per_network(stack)
        chosen = np.arange(len(stack.members)) if stack.compiled else np.flatnonzero(stack.active)
        steps = int(stack.steps[stack.active].max())
        counted["useful"] += sum(
            training_flops(int(stack.steps[p]) * int(stack.batch_sizes[p]), weights) for p in chosen
        )
        counted["computed"] += training_flops(len(chosen) * steps * int(stack.batch_sizes.max()), weights)
        started = time.perf_counter()
        run_epoch(stack, epoch)
        counted["epoch_seconds"] += time.perf_counter() - started
        counted["epochs"] += 1

    stacked._Stack.run_epoch = counting
    sample = get_sample(arguments.sample)
    frame = load_table(sample_path(sample.id)).frame
    specs = [make_spec(technique) for technique in DEFAULT_TECHNIQUES]
    protocol = Protocol(mode="cv", folds=arguments.folds, seed=0)
    run_comparison(frame, sample.target, specs, protocol)  # traces the compiled functions
    counted.update(useful=0.0, computed=0.0, epochs=0, epoch_seconds=0.0)
    started = time.perf_counter()
    run_comparison(frame, sample.target, specs, protocol)
    seconds = time.perf_counter() - started
    rate = rates["tensorflow_gflops"] * 1e9
    limit = counted["useful"] / rate
    result = {
        "machine": machine(),
        "matmul": rates,
        "sample": arguments.sample,
        "comparison_seconds": round(seconds, 2),
        "stack_epoch_seconds": round(counted["epoch_seconds"], 2),
        "stack_epochs": counted["epochs"],
        "useful_gflop": round(counted["useful"] / 1e9, 1),
        "computed_gflop": round(counted["computed"] / 1e9, 1),
        "limit_seconds": round(limit, 3),
        "ratio_to_limit": round(seconds / limit, 1),
        "ratio_of_training_to_limit": round(counted["epoch_seconds"] / limit, 1),
    }
    print(result)
    save(f"arithmetic_{arguments.sample}", result)


def weights_per_network(stack) -> int:
    sizes = [stack.width, *stack.settings.hidden_units, stack.outputs]
    return sum(fan_in * units + units for fan_in, units in zip(sizes[:-1], sizes[1:], strict=True))


if __name__ == "__main__":
    main()
