"""A module that can be called as its own main function.

`comparisons.bench(...)`, `comparisons.show("relu")`, `comparisons.compare(a, b)`
and `comparisons.trajectories(...)` are the names users call, and each is also the
name of the module (or package) that holds the function. Importing a submodule
binds its name on the parent package, so without this the module would hide the
function. A module's class may be replaced by a subclass of ModuleType (Python's
data model, "Customizing module attribute access"); this one adds `__call__`.
"""

from __future__ import annotations

import sys
import types


def make_callable(module_name: str, function_name: str) -> None:
    """Calling the module `module_name` calls its function `function_name`."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return getattr(self, function_name)(*args, **kwargs)

    sys.modules[module_name].__class__ = CallableModule
