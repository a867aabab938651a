"""pytest fixtures for the integration tests; the helpers are in harness.py.

  ovsdb            our ovsdb-server on a fresh Open_vSwitch database
  debian_ovsdb     Debian's ovsdb-server on a fresh Open_vSwitch database
  any_ovsdb        parametrized: runs the test once against each
  pki              two CAs and certificates signed by them (session-wide)
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import OvsdbServer, Vswitchd, make_pki, vsctl  # noqa: E402


@pytest.fixture
def ovsdb(tmp_path):
    with OvsdbServer("ours", tmp_path / "ours") as s:
        yield s


@pytest.fixture
def debian_ovsdb(tmp_path):
    with OvsdbServer("debian", tmp_path / "debian") as s:
        yield s


@pytest.fixture(params=["ours", "debian"])
def any_ovsdb(request, tmp_path):
    with OvsdbServer(request.param, tmp_path / request.param) as s:
        yield s


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def sw(tmp_path):
    """Our vswitchd on the dummy datapath, on our ovsdb-server (as sw.db)."""
    with OvsdbServer("ours", tmp_path / "db") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as s:
            s.db = db
            yield s
