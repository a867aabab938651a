import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def kmod():
    """Path of openvswitch_mod.ko, built once per test session."""
    import kmod_build
    return kmod_build.build()
