"""Top-level conftest: puts tests/ on sys.path so every test can import shared_corpus."""
import os

from hypothesis import settings

# Property tests explore a fixed sequence of examples per test, so CI on a clean clone
# gives the same answer every run; RINGFENCE_HYPOTHESIS_RANDOM=1 explores new ones.
settings.register_profile("rf-default", derandomize=not os.environ.get("RINGFENCE_HYPOTHESIS_RANDOM"))
settings.load_profile("rf-default")
