"""Hostile-suite fixtures: hypothesis profiles ("ci" by default, "long" via HYPOTHESIS_PROFILE)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# "ci": modest, so the whole hostile suite stays well under two minutes.
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# "long": the local soak run quoted in the notes (HYPOTHESIS_PROFILE=long).
settings.register_profile(
    "long",
    max_examples=100_000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
