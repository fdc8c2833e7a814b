"""Examples: code outside the three built-in backends that plugs into triptych.

`autodiff_backend`: a complete backend with a tiny reverse-mode automatic
differentiation engine of its own.
"""
