"""The ``skgesture`` command-line application, built on the library.

:mod:`skgesture.app.cli` parses the command line and runs one function per command;
:mod:`skgesture.app.reproduce` runs the paper's experiments and writes their report. Data flows
one way, app -> library: the application imports the library and the library never imports
the application.

``main`` imports only the argument parser, so ``skgesture --help`` answers without loading
torch; ``run_reproduction`` (numpy, scikit-learn) loads on first use.
"""

from skgesture.app.cli import main

__all__ = ["main", "run_reproduction"]


def __getattr__(name):
    if name == "run_reproduction":
        from skgesture.app.reproduce import run_reproduction

        return run_reproduction
    raise AttributeError(f"module 'skgesture.app' has no attribute {name!r}")
