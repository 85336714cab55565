"""Small seeded tables for training tests: a binary one with numeric and categorical features, a three-class one."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_binary_frame(rows: int = 600, minority_share: float = 0.1, signal: float = 2.0, seed: int = 0) -> pd.DataFrame:
    """Numeric and categorical features; the minority class is shifted by `signal` (0 = pure noise)."""
    rng = np.random.default_rng(seed)
    minority = rng.random(rows) < minority_share
    frame = pd.DataFrame(
        {
            "amount": rng.normal(size=rows) + signal * minority,
            "score": rng.normal(size=rows) + 0.5 * signal * minority,
            "noise": rng.normal(size=rows),
            "channel": rng.choice(["web", "shop", "phone"], size=rows),
        }
    )
    frame["label"] = np.where(minority, "rare", "common")
    return frame


def make_multiclass_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    classes = rng.choice(["a", "b", "c"], size=rows, p=[0.75, 0.18, 0.07])
    centre = pd.Series(classes).map({"a": 0.0, "b": 1.5, "c": 3.0}).to_numpy()
    return pd.DataFrame({"x1": rng.normal(size=rows) + centre, "x2": rng.normal(size=rows) - centre, "kind": classes})
