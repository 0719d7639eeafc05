"""Documentation written once and spliced into the docstrings that share it.

A docstring line that holds only ``%(name)s`` is replaced by ``fragments[name]``, indented like
the placeholder, so ``help()`` and Sphinx show the text as if written out. The transformers
(:func:`skgesture.preprocessing._base.complete_docstrings`) and the network estimators
(:func:`skgesture.estimators._docs.complete_docstring`) both splice through :func:`splice`.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["splice"]

_PLACEHOLDER_LINE = re.compile(r"^( *)%\((\w+)\)s$", flags=re.MULTILINE)


def splice(docstring, fragments):
    """Replace each line ``%(name)s`` of ``docstring`` by ``fragments[name]``, indented like it.

    Examples
    --------
    >>> print(splice("Parameters\\n    %(x)s", {"x": "x : int\\n    The x."}))
    Parameters
        x : int
            The x.
    """
    return _PLACEHOLDER_LINE.sub(
        lambda line: textwrap.indent(fragments[line[2]], line[1]), docstring
    )
