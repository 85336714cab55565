"""Errors a person can act on: each message says what was wrong and what to do."""


class ImbalanceLabError(ValueError):
    """Base class for errors caused by the input, not by a bug."""


class InputError(ImbalanceLabError):
    """The data file or the chosen target cannot be used as given."""


class ParameterError(ImbalanceLabError):
    """A technique id or one of its parameters is unknown or out of range."""


class Cancelled(Exception):  # noqa: N818 (the name callers catch since round one)
    """Raised when a run is stopped on request; results so far are discarded."""
