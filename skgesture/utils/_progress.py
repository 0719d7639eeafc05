"""Progress bars of long calls: tqdm's, on stderr; tqdm is an optional dependency."""

from __future__ import annotations

import functools
import sys


def progress_bar_class(argument="verbose=True"):
    """tqdm's progress bar class, writing to stderr.

    Parameters
    ----------
    argument : str, default="verbose=True"
        The setting that asked for the bar, named in the error when tqdm is missing.

    Raises
    ------
    ImportError
        If tqdm (the ``progress`` extra) is not installed; the message says how to install it
        or what to pass instead.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            f"{argument} shows a progress bar with tqdm, which is not installed; install it "
            "with `pip install skgesture[progress]`, or ask for less verbosity."
        ) from None
    return functools.partial(tqdm, file=sys.stderr)
