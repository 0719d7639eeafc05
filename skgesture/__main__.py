"""``python -m skgesture``: the ``skgesture`` command."""

import sys

from skgesture.cli import main

sys.exit(main())
