"""Debian's ovs-vsctl (3.1) against the server, every step asserted.

Each test runs against our ovsdb-server and against Debian's (`any_ovsdb`):
the Debian run proves the expectation itself, the other proves ours meets it.
"""
import json

import pytest

from harness import vsctl


def vs(server, *args, **kw):
    return vsctl(server, *args, **kw)


def out(server, *args):
    return vs(server, *args).stdout.strip()


@pytest.fixture
def db(any_ovsdb):
    vs(any_ovsdb, "init")
    return any_ovsdb


def test_init_creates_the_root_row(db):
    rows = json.loads(out(db, "--format=json", "list", "Open_vSwitch"))
    assert len(rows["data"]) == 1
    # init is idempotent
    vs(db, "init")
    rows = json.loads(out(db, "--format=json", "list", "Open_vSwitch"))
    assert len(rows["data"]) == 1


def test_bridges_ports_interfaces(db):
    vs(db, "add-br", "br0")
    vs(db, "add-br", "br1")
    assert out(db, "list-br").split() == ["br0", "br1"]
    assert vs(db, "br-exists", "br0", check=False).returncode == 0
    assert vs(db, "br-exists", "nope", check=False).returncode == 2

    vs(db, "add-port", "br0", "p1")
    vs(db, "add-port", "br0", "p2", "--", "set", "Interface", "p2", "type=internal")
    assert out(db, "list-ports", "br0").split() == ["p1", "p2"]
    assert out(db, "list-ifaces", "br0").split() == ["p1", "p2"]
    assert out(db, "port-to-br", "p2") == "br0"
    assert out(db, "iface-to-br", "p1") == "br0"
    assert out(db, "get", "Interface", "p2", "type") == "internal"

    # A duplicate port is refused and changes nothing.
    p = vs(db, "add-port", "br1", "p1", check=False)
    assert p.returncode == 1
    assert "p1" in p.stderr
    assert out(db, "list-ports", "br1") == ""

    vs(db, "del-port", "br0", "p1")
    assert out(db, "list-ports", "br0").split() == ["p2"]
    # Deleting a bridge deletes its ports and interfaces (garbage collection).
    vs(db, "del-br", "br0")
    assert out(db, "list-br").split() == ["br1"]
    assert out(db, "--bare", "--columns=name", "list", "Interface").split() == ["br1"]
    assert out(db, "--bare", "--columns=name", "list", "Port").split() == ["br1"]


def test_errors_change_nothing(db):
    vs(db, "add-br", "br0")
    p = vs(db, "del-br", "br9", check=False)
    assert p.returncode == 1
    assert "no bridge named br9" in p.stderr
    # A chained transaction with one failing command leaves no trace.
    p = vs(db, "add-br", "brX", "--", "add-port", "nosuch", "px", check=False)
    assert p.returncode == 1
    assert out(db, "list-br").split() == ["br0"]


def test_fake_bridge(db):
    vs(db, "add-br", "br0")
    vs(db, "add-br", "br0.10", "br0", "10")
    assert out(db, "br-to-parent", "br0.10") == "br0"
    assert out(db, "br-to-vlan", "br0.10") == "10"
    assert out(db, "list-br").split() == ["br0", "br0.10"]


def test_managers(db):
    vs(db, "set-manager", "tcp:127.0.0.1:6640", "ptcp:6641")
    assert out(db, "get-manager").split() == ["ptcp:6641", "tcp:127.0.0.1:6640"]
    vs(db, "set-manager", "ssl:10.0.0.1:6632")
    assert out(db, "get-manager") == "ssl:10.0.0.1:6632"
    # The replaced Manager rows are gone, not orphaned.
    assert out(db, "--bare", "--columns=target", "list", "Manager") == "ssl:10.0.0.1:6632"
    vs(db, "del-manager")
    assert out(db, "get-manager") == ""
    assert out(db, "list", "Manager") == ""


def test_controllers_and_fail_mode(db):
    vs(db, "add-br", "br0")
    vs(db, "set-controller", "br0", "tcp:127.0.0.1:6653", "tcp:127.0.0.1:6654")
    assert out(db, "get-controller", "br0").split() == [
        "tcp:127.0.0.1:6653", "tcp:127.0.0.1:6654"]
    vs(db, "set-fail-mode", "br0", "secure")
    assert out(db, "get-fail-mode", "br0") == "secure"
    vs(db, "del-fail-mode", "br0")
    assert out(db, "get-fail-mode", "br0") == ""
    vs(db, "del-controller", "br0")
    assert out(db, "get-controller", "br0") == ""
    assert out(db, "list", "Controller") == ""


def test_emer_reset(db):
    vs(db, "add-br", "br0")
    vs(db, "add-port", "br0", "p1")
    vs(db, "set-manager", "tcp:127.0.0.1:6640")
    vs(db, "set-controller", "br0", "tcp:127.0.0.1:6653")
    vs(db, "set-fail-mode", "br0", "secure")
    vs(db, "set", "Bridge", "br0", "other_config:hwaddr=00:11:22:33:44:55",
       "other_config:foo=bar", "flood_vlans=10")
    vs(db, "set", "Port", "p1", "other_config:a=b")
    vs(db, "--", "set", "Bridge", "br0", "netflow=@nf", "--",
       "--id=@nf", "create", "NetFlow", "targets=\"127.0.0.1:2055\"")
    vs(db, "emer-reset")
    assert out(db, "get-manager") == ""
    assert out(db, "get-controller", "br0") == ""
    assert out(db, "get-fail-mode", "br0") == ""
    assert out(db, "list", "NetFlow") == ""
    # Bridges and ports stay; other_config keeps only what OVS keeps (hwaddr).
    assert out(db, "list-br") == "br0"
    assert out(db, "list-ports", "br0") == "p1"
    assert out(db, "get", "Bridge", "br0", "other_config") == '{hwaddr="00:11:22:33:44:55"}'
    assert out(db, "get", "Bridge", "br0", "flood_vlans") == "[]"
    assert out(db, "get", "Port", "p1", "other_config") == "{}"


def test_database_commands(db):
    vs(db, "add-br", "br0")
    vs(db, "add-port", "br0", "p1")
    # set / get with map keys
    vs(db, "set", "Bridge", "br0", "external_ids:owner=alice", "stp_enable=true")
    assert out(db, "get", "Bridge", "br0", "external_ids:owner") == 'alice'
    assert out(db, "get", "Bridge", "br0", "stp_enable") == "true"
    # add / remove on a set and a map
    vs(db, "add", "Bridge", "br0", "flood_vlans", "10", "20")
    assert out(db, "get", "Bridge", "br0", "flood_vlans") == "[10, 20]"
    vs(db, "remove", "Bridge", "br0", "flood_vlans", "10")
    assert out(db, "get", "Bridge", "br0", "flood_vlans") == "[20]"
    vs(db, "add", "Bridge", "br0", "external_ids", "team=blue")
    vs(db, "remove", "Bridge", "br0", "external_ids", "owner")
    assert out(db, "get", "Bridge", "br0", "external_ids") == '{team=blue}'
    # clear
    vs(db, "clear", "Bridge", "br0", "flood_vlans", "external_ids")
    assert out(db, "get", "Bridge", "br0", "flood_vlans") == "[]"
    assert out(db, "get", "Bridge", "br0", "external_ids") == "{}"
    # find
    vs(db, "set", "Interface", "p1", "type=internal")
    # (the bridge's own local interface br0 is internal too)
    assert sorted(out(db, "--bare", "--columns=name", "find", "Interface",
                      "type=internal").split()) == ["br0", "p1"]
    assert out(db, "--bare", "--columns=name", "find", "Interface",
               "type=\"\"").split() == []
    # create / destroy, with --id
    uuid = out(db, "create", "QoS", "type=linux-htb")
    assert len(uuid) == 36
    assert out(db, "get", "QoS", uuid, "type") == "linux-htb"
    vs(db, "destroy", "QoS", uuid)
    assert out(db, "list", "QoS") == ""
    # a type error is refused with status 1
    p = vs(db, "set", "Bridge", "br0", "stp_enable=maybe", check=False)
    assert p.returncode == 1
    # wait-until on something already true returns at once
    vs(db, "wait-until", "Bridge", "br0", "stp_enable=true")


def test_show(db):
    vs(db, "add-br", "br0")
    vs(db, "add-port", "br0", "p1", "--", "set", "Interface", "p1", "type=internal")
    vs(db, "set-manager", "ptcp:6640")
    text = out(db, "show")
    assert 'Manager "ptcp:6640"' in text
    assert 'Bridge br0' in text
    assert 'Port p1' in text
    assert 'type: internal' in text
