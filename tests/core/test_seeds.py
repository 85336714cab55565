"""Seeds never collide across roles (imbal_core.seeds): one value drives one kind of randomness only."""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np
import pandas as pd

import imbal_core.run.folds as folds
import imbal_core.seeds as seeds
import imbal_core.stages.members as members
from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.techniques.catalogue import make_spec


def _site(skip: str) -> str:
    """The first calling function outside `skip` (a file name): the role a seed was made or used for."""
    frame = sys._getframe(2)
    while frame.f_code.co_filename.endswith(skip):
        frame = frame.f_back
    return f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"


def test_every_seed_of_a_bagging_fold_serves_one_role(monkeypatch):
    """Every seed derived while one fold of balanced bagging trains (fold, members, subsets, kernels, batch
    order, dropout) is made at one place and consumed by one kind of generator. Before role paths, bagging
    member 1's seed was member 0's layer-1 kernel seed, and member 0's subset and batch order both drew
    from the fold's seed."""
    made, used = defaultdict(set), defaultdict(set)
    original_derive, original_rng = seeds.derive_seed, np.random.default_rng

    def derive(*keys):
        value = original_derive(*keys)
        made[value].add(_site("seeds.py"))
        return value

    def rng(seed=None):
        if isinstance(seed, int | np.integer):
            used[int(seed)].add(_site("test_seeds.py"))
        return original_rng(seed)

    for name, module in list(sys.modules.items()):
        if name.startswith("imbal_core") and getattr(module, "derive_seed", None) is original_derive:
            monkeypatch.setattr(module, "derive_seed", derive)
    monkeypatch.setattr(np.random, "default_rng", rng)
    for module, name in ((folds, "validation_slice"), (members, "undersampled")):
        function = getattr(module, name)

        def recorded(*arguments, _function=function, _name=name):
            used[int(arguments[2])].add(_name)
            return _function(*arguments)

        monkeypatch.setattr(module, name, recorded)

    random = np.random.RandomState(0)
    frame = pd.DataFrame(random.normal(size=(240, 4)), columns=list("abcd"))
    frame["label"] = np.where(frame["a"] + random.normal(size=240) > 1.6, "rare", "common")
    settings = ModelSettings(hidden_units=(8, 4), max_epochs=2, batch_size=32)
    run_comparison(frame, "label", [make_spec("balanced_bagging", {"members": 3})], Protocol(seed=5), settings)

    kernel_seeds = [value for value, sites in made.items() if any("_initial_parameters" in site for site in sites)]
    assert len(kernel_seeds) == 3 * 3  # three members, three layers each: the recording saw the fold train
    assert any("undersampled" in sites for sites in used.values())
    shared = {value: sites for value, sites in made.items() if len(sites) > 1}
    assert not shared, f"one seed derived for several roles: {shared}"
    shared = {value: sites for value, sites in used.items() if len(sites) > 1}
    assert not shared, f"one seed consumed by several kinds of randomness: {shared}"
