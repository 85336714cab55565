"""Determinism under load: the same comparison in 4 processes at once gives identical numbers.

Each process is a fresh interpreter competing for the same 2 cores, so thread scheduling, the order
in which TensorFlow's kernels run and memory layout all differ; the metrics and the probabilities
(by hash) must not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4

# Tiny data, two techniques (one resampling with randomness, one with a different loss), two epochs.
RUN = """
import hashlib, json
import numpy as np
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.nets.model import ModelSettings
from imbal_core.techniques.catalogue import make_spec
from tests.support.frames import make_binary_frame

frame = make_binary_frame(rows=300, minority_share=0.15, seed=11)
specs = [make_spec("smote", {"k_neighbors": 3}), make_spec("focal_loss")]
settings = ModelSettings(hidden_units=(8,), max_epochs=3, patience=2)
comparison = run_comparison(frame, "label", specs, Protocol(seed=3), settings)
print(json.dumps({
    result.spec.technique_id: {
        "metrics": result.metrics,
        "failed": result.failed,
        "probabilities": hashlib.sha256(np.ascontiguousarray(result.probabilities).tobytes()).hexdigest(),
    }
    for result in comparison.results
}, sort_keys=True))
"""


@pytest.mark.slow
def test_same_comparison_in_four_parallel_processes_gives_identical_metrics():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RUN], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(PROCESSES)
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-3000:]
        outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    first = outputs[0]
    assert set(first) == {"smote", "focal_loss"}
    for technique in first.values():
        assert technique["failed"] is None
        assert 0.0 <= technique["metrics"]["roc_auc"] <= 1.0
    for other in outputs[1:]:
        assert other == first  # every metric to the last bit, and the probabilities by hash
