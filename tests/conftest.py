"""Test-wide settings."""

from hypothesis import HealthCheck, settings

# Property tests run on shared two-core machines: timing-based checks would make them flaky
# without testing anything about the code, so no deadline and no data-generation speed check.
settings.register_profile(
    "shared-cpu", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-cpu")
