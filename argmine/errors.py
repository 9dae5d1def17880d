"""One error hierarchy for argmine.

Every error derives from :class:`ArgmineError` and also from the matching built-in
exception, so code that already catches ``ValueError`` or ``FileNotFoundError`` keeps
working.

Example:
    >>> from argmine.errors import OffsetError
    >>> issubclass(OffsetError, ValueError)
    True
"""

from __future__ import annotations


class ArgmineError(Exception):
    """Base class of every error argmine raises."""


class OffsetError(ArgmineError, ValueError):
    """A unit's character offsets do not fit the text they point into."""


class CorpusNotFoundError(ArgmineError, FileNotFoundError):
    """A benchmark corpus folder is missing."""


class CorpusFormatError(ArgmineError, ValueError):
    """A corpus file is malformed; the message names the file and line."""


class ModelLoadError(ArgmineError, OSError):
    """A model folder is missing, incomplete, or stores weights in an unsafe format."""


class LabelMismatchError(ArgmineError, ValueError):
    """A model's label set does not match what the caller expects."""


class DeviceError(ArgmineError, ValueError):
    """A torch device that this machine does not have, or that argmine cannot use."""


class TrainConfigError(ArgmineError, ValueError):
    """A training setting out of its range; the message names it and what it may be."""


class InputError(ArgmineError, ValueError):
    """An input file or record cannot be read."""


class ArgmineWarning(UserWarning):
    """Warnings argmine emits (the library never prints)."""
