"""`python -m comparisons.cli ...`: the same as the `triptych` command."""

import sys

from . import main

sys.exit(main())
