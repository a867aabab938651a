"""lib/ovsdb/idl against real servers: our ovsdb-server and Debian's.

tools: build/test/unit/ovsdb-idl/idl-probe prints the replica after the
initial sync and after each step; the same steps against both servers must
print the same thing, and what they print must be right.
"""
import re
import subprocess

import pytest

from harness import OvsdbServer, build_path, run, vsctl

STEPS = [
    'set Bridge br0 other_config=["map",[["a","1"]]]',
    'set Bridge br0 other_config=["map",[["a","2"],["b","3"]]]',
    'verify-set Bridge br0 fail_mode="secure"',
    'insert Bridge name="orphan"',
    "incr Open_vSwitch next_cfg",
    "incr Open_vSwitch next_cfg",
    'set Bridge br0 external_ids=["map",[["k","v"]]] datapath_type="netdev"',
    'insert Port name="p1"',
    "delete Bridge br0",
    'set Bridge br0 fail_mode=["set",[]]',
]


def probe(server, *steps, check=True):
    cmd = [build_path("test/unit/ovsdb-idl/idl-probe"), server.unix, "Open_vSwitch", *steps]
    return run(cmd, check=check, timeout=60)


def base_state(server):
    vsctl(server, "init")
    vsctl(server, "add-br", "br0")


@pytest.fixture
def both(tmp_path):
    with OvsdbServer("ours", tmp_path / "ours") as ours, \
            OvsdbServer("debian", tmp_path / "debian") as debian:
        yield ours, debian


def test_same_replica_and_outcomes_from_both_servers(both):
    outs = []
    for s in both:
        base_state(s)
        outs.append(probe(s, *STEPS).stdout)
    assert outs[0] == outs[1]


def test_what_the_replica_shows_is_right(debian_ovsdb):
    base_state(debian_ovsdb)
    out = probe(debian_ovsdb, *STEPS).stdout
    blocks = out.split("step ")
    initial = blocks[0]
    assert re.search(r'^  Bridge Bridge:br0: .*name=\["br0"\]', initial, re.M)
    assert "Interface Interface:br0:" in initial
    # Map replaced as a whole: a=2, b=3, nothing else.
    assert 'other_config=["a"="2","b"="3"]' in blocks[2]
    assert "success" in blocks[3] and 'fail_mode=["secure"]' in blocks[3]
    # A non-root row nobody refers to is collected at once.
    assert "success" in blocks[4] and "orphan" not in blocks[4].split("\n", 1)[1]
    assert "value=1" in blocks[5] and "value=2" in blocks[6]
    assert 'datapath_type=["netdev"]' in blocks[7] and 'external_ids=["k"="v"]' in blocks[7]
    # A Port needs an interface: its default refers to no row, refused.
    assert "error (referential integrity violation)" in blocks[8]
    # br0 is referenced by Open_vSwitch: deleting it breaks integrity.
    assert "error (referential integrity violation)" in blocks[9]
    assert "Bridge Bridge:br0:" in blocks[9]
    assert "success" in blocks[10] and "fail_mode" not in blocks[10].split("Bridge Bridge:br0:")[1].split("\n")[0]


@pytest.mark.parametrize("impl", ["ours", "debian"])
def test_sees_other_clients_changes_live(impl, tmp_path):
    with OvsdbServer(impl, tmp_path / impl) as s:
        base_state(s)
        p = subprocess.Popen(
            [build_path("test/unit/ovsdb-idl/idl-probe"), s.unix, "Open_vSwitch", "wait-for Bridge br9"],
            stdout=subprocess.PIPE, text=True)
        try:
            # Once it has synced, another client adds br9.
            first = p.stdout.readline()
            assert first.strip() == "synced"
            vsctl(s, "add-br", "br9")
            out = p.stdout.read()
            p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
        assert "appeared" in out
        assert "Bridge Bridge:br9:" in out
        assert "Port Port:br9:" in out


def test_unknown_database_and_missing_server_are_clear_errors(ovsdb, tmp_path):
    r = run([build_path("test/unit/ovsdb-idl/idl-probe"), ovsdb.unix, "Nope"], check=False)
    assert r.returncode == 1 and "unknown database" in r.stderr
    r = run([build_path("test/unit/ovsdb-idl/idl-probe"), f"unix:{tmp_path}/absent.sock", "Open_vSwitch"],
            check=False)
    assert r.returncode == 1 and r.stderr.strip() != "idl-probe:"
