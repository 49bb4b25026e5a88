"""``python -m ceuslib``: the command line (see :mod:`ceuslib.cli`)."""

import sys

from ceuslib.cli import main

sys.exit(main())
