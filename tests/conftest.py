"""Shared fixtures.  The suite stands alone: nothing here needs ../shared."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A modest profile keeps the suite fast; set
# HYPOTHESIS_PROFILE=thorough for a longer local run.
settings.register_profile(
    "mmcheck", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "mmcheck"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conformance: compares against herd7's reference outputs in ../shared/conformance",
    )


@pytest.fixture
def write_litmus(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a litmus file into a fresh directory and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return write
