"""`ringfence unwrap`: undo `ringfence wrap` (see commands/wrap.py)."""
from .wrap import register_unwrap as register  # noqa: F401
