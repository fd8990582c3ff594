"""The old import path of the Inspector, which lives in ringfence.core.inspect."""
from .core.inspect import *  # noqa: F401,F403
from .core.inspect import __all__  # noqa: F401
