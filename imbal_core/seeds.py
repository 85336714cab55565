"""Seeds for the parts of a run that never collide: every seed is derived from its parent by a (role, index) path.

`seed + index` collides: fold 1 under seed 0 and fold 0 under seed 1 would share every random draw.
NumPy's SeedSequence hashes the whole key, so (seed, fold) pairs map to unrelated seeds. A bare index is
not enough either: `derive_seed(member, 1)` for layer 1's kernel and `derive_seed(fold, 1)` for bagging
member 1 were one value when member 0's seed is the fold's. So a seed names its role as well as its index,
`seed_for(parent, Role.KERNEL, layer)`, and no two roles share a key.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

SEED_LIMIT = 2**31 - 1  # TensorFlow, Keras and scikit-learn all accept seeds below this
# First key word of every role path: SeedSequence pads short keys with zeros ([s, k] and [s, k, 0] give
# the same seed), so the tag keeps role paths apart from the plain (seed, index) keys of derive_seed.
ROLE_TAG = 0x524F4C45


class Role(IntEnum):
    """What a derived seed drives. The values are part of every trained number: never renumber one."""

    MEMBER = 1  # an ensemble member's (or boosting round's) network, from the fold's seed
    SUBSET = 2  # the rows an ensemble member draws (balanced subset), from the member's seed
    KERNEL = 3  # one layer's initial kernel (index: the layer), from a network's seed
    SHUFFLE = 4  # a network's batch order over its rows, from its seed
    CLASS_STREAM = 5  # a network's batch order within one class (index: the class code), balanced batches
    DROPOUT_TABLE = 6  # the uniform numbers a network's dropout masks are read from
    DROPOUT_OFFSETS = 7  # where each step's dropout window starts in that table
    DROPOUT_LAYER = 8  # a Keras Dropout layer's seed (index: the layer), the one-network path
    SEED_AVERAGE = 9  # the extra networks of a seed average (index: 1, 2, ...), from the plan's seed


def derive_seed(*keys: int) -> int:
    """One seed for the part of a run named by `keys`, e.g. derive_seed(run_seed, fold_index)."""
    entropy = [int(key) % 2**32 for key in keys]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0]) % SEED_LIMIT


def seed_for(parent: int, role: Role, index: int = 0) -> int:
    """The seed of `role` number `index` under `parent`, e.g. seed_for(network_seed, Role.KERNEL, 1)."""
    return derive_seed(parent, ROLE_TAG, int(role), index)
