"""Imbalance Lab engine: load, profile, resample, train and compare, with no UI."""

from imbal_core.errors import ImbalanceLabError, InputError, ParameterError

__all__ = ["ImbalanceLabError", "InputError", "ParameterError"]
