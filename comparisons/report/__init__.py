"""The report: one command, one page -- do the backends agree, and which is faster
here?

- `gather`   runs the stages (`STAGES`: consistency, trajectories, pictures,
             benchmark; `skip` leaves some out) and writes the report whole
             into its folder: `report(out)`;
- `render`   the files: the page, the Markdown, the CSVs, the environment;
- `plots`    the pictures, one function per PNG.
"""

from .gather import MARKER, STAGES, report
from .render import FILES

__all__ = ["FILES", "MARKER", "STAGES", "report"]
