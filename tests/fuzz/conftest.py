import os

from hypothesis import HealthCheck, settings

# "ci": a short run of every target in the test suite; "fuzz": `make fuzz` (longer).
# Applied per test (test_fuzz_targets.py), so other hypothesis tests keep their own settings.
settings.register_profile("rf-ci", max_examples=int(os.environ.get("RINGFENCE_FUZZ_EXAMPLES", "120")),
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("rf-fuzz", max_examples=int(os.environ.get("RINGFENCE_FUZZ_EXAMPLES", "20000")),
                          deadline=None, suppress_health_check=list(HealthCheck))
