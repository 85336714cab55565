"""Seeds for the parts of a run (fold, ensemble member, sampler) that never collide.

`seed + index` collides: fold 1 under seed 0 and fold 0 under seed 1 would share every random draw.
NumPy's SeedSequence hashes the whole key, so (seed, fold) pairs map to unrelated seeds.
"""

from __future__ import annotations

import numpy as np

SEED_LIMIT = 2**31 - 1  # TensorFlow, Keras and scikit-learn all accept seeds below this


def derive_seed(*keys: int) -> int:
    """One seed for the part of a run named by `keys`, e.g. derive_seed(run_seed, fold_index)."""
    entropy = [int(key) % 2**32 for key in keys]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0]) % SEED_LIMIT
