"""`python -m comparisons.cli ...`: the same as the `triptych` command."""

import sys

from . import command

sys.exit(command())
