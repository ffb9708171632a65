"""``python -m desktop_app``: the same command line as ``coverage-desk``."""

import sys

from desktop_app.cli import main

sys.exit(main())
