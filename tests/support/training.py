"""Network settings for tests that train: small enough to be quick, named for what they are enough for."""

from __future__ import annotations

from imbal_core.nets.model import ModelSettings

# Two epochs of an 8-unit network: enough to run every stage of the protocol, not to learn.
TINY_SETTINGS = ModelSettings(hidden_units=(8,), max_epochs=2, patience=1)
# Four epochs of a 16-unit network in large batches: enough to test the protocol, not to win.
FAST_SETTINGS = ModelSettings(hidden_units=(16,), max_epochs=4, patience=2, batch_size=128)
