"""``python -m skgesture``: the ``skgesture`` command."""

import sys

from skgesture.app.cli import main

sys.exit(main())
