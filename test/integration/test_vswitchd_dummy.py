"""Our vswitchd on the dummy datapath, configured by Debian's ovs-vsctl
WITHOUT --no-wait (so every command returns only once the switch has
applied it and copied next_cfg to cur_cfg).  After each step the datapath's
state (ovs-appctl dpif/show) and the status columns are asserted at once,
without polling: that is what "returns when configured" means.
"""
import json
import os
import time

import pytest

from harness import OvsdbServer, Vswitchd, appctl, parse_dpif_show, run, vsctl, wait_for


def v(server, *args, check=True):
    """Debian's ovs-vsctl, waiting for the switch (no --no-wait)."""
    return vsctl(server, *args, no_wait=False, check=check)


def decode(value):
    """An OVSDB JSON value as Python: sets -> list (or scalar/None), maps -> dict."""
    if isinstance(value, list) and value and value[0] == "set":
        items = [decode(x) for x in value[1]]
        return items[0] if len(items) == 1 else (None if not items else items)
    if isinstance(value, list) and value and value[0] == "map":
        return {decode(k): decode(x) for k, x in value[1]}
    if isinstance(value, list) and value and value[0] == "uuid":
        return value[1]
    return value


def rows(server, table, *names):
    out = json.loads(v(server, "--format=json", "list", table, *names).stdout)
    heads = out["headings"]
    return {r[heads.index("name")] if "name" in heads else None: dict(zip(heads, map(decode, r)))
            for r in out["data"]}


def iface(server, name):
    return rows(server, "Interface", name)[name]


def show(sw):
    return parse_dpif_show(sw.appctl("dpif/show").stdout)


@pytest.fixture(params=["ours", "debian"])
def setup(request, tmp_path):
    """(server, switch): our vswitchd on our ovsdb-server or Debian's."""
    with OvsdbServer(request.param, tmp_path / "db") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            yield db, sw


@pytest.fixture
def ours(tmp_path):
    with OvsdbServer("ours", tmp_path / "db") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            yield db, sw


def test_bridges_ports_interfaces_step_by_step(setup):
    db, sw = setup
    assert show(sw) == {}

    v(db, "add-br", "br0")
    dp = show(sw)
    assert dp["br0"]["type"] == "dummy"
    assert dp["br0"]["ports"] == {"br0": (65534, 0, "internal")}
    br0 = iface(db, "br0")
    assert br0["ofport"] == 65534 and br0["error"] is None
    assert br0["admin_state"] == "down" and br0["link_state"] == "down"   # internal devices start down
    assert br0["mtu"] == 1500
    assert br0["mac_in_use"].startswith("02:dd:")
    bridge = rows(db, "Bridge", "br0")["br0"]
    assert bridge["datapath_id"] == "0000" + br0["mac_in_use"].replace(":", "")
    assert bridge["datapath_version"] == "<built-in>"
    ovs = rows(db, "Open_vSwitch")[None]
    assert ovs["cur_cfg"] == ovs["next_cfg"] and ovs["cur_cfg"] > 0
    assert set(ovs["iface_types"]) == {"internal", "system"}

    v(db, "add-port", "br0", "p1")
    assert show(sw)["br0"]["ports"]["p1"] == (1, 1, "system")
    p1 = iface(db, "p1")
    assert p1["ofport"] == 1 and p1["error"] is None
    assert p1["admin_state"] == "up" and p1["link_state"] == "up"
    assert p1["link_speed"] == 10_000_000_000
    assert p1["ifindex"] > 0

    # Several in one transaction, an internal one and a requested number.
    v(db, "add-port", "br0", "p2", "--", "set", "Interface", "p2", "ofport_request=7",
      "--", "add-port", "br0", "i1", "--", "set", "Interface", "i1", "type=internal")
    ports = show(sw)["br0"]["ports"]
    assert ports["p2"] == (7, 7, "system")
    assert ports["i1"][2] == "internal"
    assert iface(db, "p2")["ofport"] == 7
    assert iface(db, "i1")["ofport"] == ports["i1"][0]

    # A second bridge, then an interface moving from one to the other.
    v(db, "add-br", "br1", "--", "add-port", "br1", "q1")
    dp = show(sw)
    assert set(dp) == {"br0", "br1"}
    assert set(dp["br1"]["ports"]) == {"br1", "q1"}
    v(db, "del-port", "br0", "p1", "--", "add-port", "br1", "p1")
    dp = show(sw)
    assert "p1" not in dp["br0"]["ports"] and "p1" in dp["br1"]["ports"]
    assert iface(db, "p1")["ofport"] == dp["br1"]["ports"]["p1"][0]

    # Removing: the port, then a whole bridge.
    v(db, "del-port", "br0", "p2")
    assert set(show(sw)["br0"]["ports"]) == {"br0", "i1"}
    assert "p2" not in rows(db, "Interface")
    v(db, "del-br", "br1")
    assert set(show(sw)) == {"br0"}
    v(db, "del-br", "br0")
    assert show(sw) == {}
    ovs = rows(db, "Open_vSwitch")[None]
    assert ovs["cur_cfg"] == ovs["next_cfg"]


def test_missing_and_unsupported_interfaces_are_reported_not_fatal(ours):
    db, sw = ours
    sw.appctl("dpif-dummy/strict", "on")     # only devices that exist can be added
    sw.appctl("netdev-dummy/add", "eth1")
    v(db, "add-br", "br0", "--", "add-port", "br0", "eth1")
    # ovs-vsctl itself reports the Interface.error the switch wrote (a
    # warning: the configuration was still applied).
    p = v(db, "add-port", "br0", "eth9")
    assert "Error detected while setting up 'eth9': could not open network device eth9 " \
           "(No such device)" in p.stderr
    eth9 = iface(db, "eth9")
    assert eth9["ofport"] == -1
    assert eth9["error"] == "could not open network device eth9 (No such device)"
    assert eth9["mtu"] is None and eth9["link_state"] is None
    p = v(db, "add-port", "br0", "vx0", "--", "set", "Interface", "vx0", "type=vxlan", check=False)
    assert "could not open network device vx0" in p.stderr
    # The others are untouched and the configuration is acknowledged.
    assert set(show(sw)["br0"]["ports"]) == {"br0", "eth1"}
    assert iface(db, "eth1")["ofport"] == 1
    ovs = rows(db, "Open_vSwitch")[None]
    assert ovs["cur_cfg"] == ovs["next_cfg"]

    # The device appears: the switch adds it without any database change.
    sw.appctl("netdev-dummy/add", "eth9")
    wait_for(lambda: iface(db, "eth9")["ofport"] == 2, timeout=5, what="eth9 added")
    assert iface(db, "eth9")["error"] is None
    assert "eth9" in show(sw)["br0"]["ports"]

    # It disappears again: its vport goes, the error comes back.
    sw.appctl("netdev-dummy/del", "eth9")
    wait_for(lambda: iface(db, "eth9")["ofport"] == -1, timeout=5, what="eth9 reported missing")
    assert "eth9" not in show(sw)["br0"]["ports"]


def test_link_and_admin_state_follow_the_device(ours):
    db, sw = ours
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1")
    sw.appctl("netdev-dummy/set-carrier", "p1", "down")
    wait_for(lambda: iface(db, "p1")["link_state"] == "down", timeout=5, what="link down")
    assert iface(db, "p1")["admin_state"] == "up"
    sw.appctl("netdev-dummy/set-carrier", "p1", "up")
    wait_for(lambda: iface(db, "p1")["link_state"] == "up", timeout=5, what="link up")
    sw.appctl("netdev-dummy/set-admin-state", "br0", "up")
    wait_for(lambda: iface(db, "br0")["admin_state"] == "up", timeout=5, what="br0 up")
    assert iface(db, "br0")["link_state"] == "up"


def test_internal_interface_settings_and_bridge_hwaddr(ours):
    db, sw = ours
    v(db, "add-br", "br0", "--", "set", "Bridge", "br0", "other_config:hwaddr=00:11:22:33:44:55",
      "--", "add-port", "br0", "i1", "--", "set", "Interface", "i1", "type=internal",
      "mtu_request=9000", "mac=\"02:00:00:00:00:42\"")
    i1 = iface(db, "i1")
    assert i1["mtu"] == 9000
    assert i1["mac_in_use"] == "02:00:00:00:00:42"
    assert iface(db, "br0")["mac_in_use"] == "00:11:22:33:44:55"
    assert rows(db, "Bridge", "br0")["br0"]["datapath_id"] == "0000001122334455"
    v(db, "set", "Bridge", "br0", "other_config:datapath-id=00000000000000ab")
    assert rows(db, "Bridge", "br0")["br0"]["datapath_id"] == "00000000000000ab"


def test_statistics_are_written_periodically(ours):
    db, sw = ours
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    frame = "ffffffffffff" "020000000001" "88b5" + "00" * 46
    sw.appctl("netdev-dummy/receive", "p1", frame, frame, frame)

    def counted():
        st = iface(db, "p1")["statistics"] or {}
        return st.get("rx_packets") == 3 and st.get("rx_bytes") == 3 * 60
    wait_for(counted, timeout=12, interval=0.5, what="p1 statistics")
    st = iface(db, "p1")["statistics"]
    assert {"tx_packets", "tx_bytes", "rx_dropped", "tx_dropped", "rx_errors", "tx_errors"} <= set(st)


def test_survives_ovsdb_server_restart(ours, tmp_path):
    db, sw = ours
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    before = show(sw)
    db.kill9()
    time.sleep(0.5)
    assert show(sw) == before          # the datapath is left alone meanwhile
    db.start()
    # The switch reconnects, resyncs without touching the datapath, and
    # keeps acknowledging changes.
    v(db, "add-port", "br0", "p3")
    after = show(sw)
    assert after["br0"]["ports"]["p1"] == before["br0"]["ports"]["p1"]
    assert after["br0"]["ports"]["p2"] == before["br0"]["ports"]["p2"]
    assert "p3" in after["br0"]["ports"]
    assert sw.proc.poll() is None
    cov = sw.appctl("coverage/show").stdout
    # Nothing was deleted by the reconnection.
    assert "dpif_port_del" not in cov


def test_restart_rebuilds_from_the_database(ours, tmp_path):
    db, sw = ours
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "set", "Interface", "p1",
      "ofport_request=3", "--", "add-port", "br0", "p2")
    sw.kill9()
    sw.start()
    # A fresh dummy datapath (it lived in the killed process) built again;
    # nothing changed in the database, so wait for the status directly.
    wait_for(lambda: "p2" in show(sw).get("br0", {}).get("ports", {}), timeout=5, what="rebuild")
    ports = show(sw)["br0"]["ports"]
    assert ports["p1"] == (3, 3, "system")
    wait_for(lambda: iface(db, "p2")["ofport"] == ports["p2"][0], timeout=5, what="ofport")
    v(db, "add-port", "br0", "p4")   # and it acknowledges changes again
    assert "p4" in show(sw)["br0"]["ports"]


def test_appctl_commands(ours):
    db, sw = ours
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1")
    assert sw.appctl("version").stdout.startswith("ovs-vswitchd (vswitch) ")
    cmds = sw.appctl("list-commands").stdout
    for c in ("exit", "dpif/show", "dpif/dump-flows", "fdb/show", "fdb/flush", "memory/show",
              "coverage/show", "bridge/reconnect", "vlog/set", "vlog/list", "upcall/show",
              "revalidator/wait", "revalidator/purge"):
        assert f"  {c} " in cmds or f"  {c}\n" in cmds, c
    sw.appctl("vlog/set", "reconciler:file:dbg")
    assert any(l.split()[0] == "reconciler" and l.split()[-1] == "DBG"
               for l in sw.appctl("vlog/list").stdout.splitlines() if l.strip())
    mem = sw.appctl("memory/show").stdout
    assert "bridges:1" in mem and "ports:2" in mem
    cov = sw.appctl("coverage/show").stdout
    assert cov.startswith("Event coverage, avg rate over last: 5 seconds")
    assert "dpif_port_add" in cov and "bridge_reconfigure" in cov
    assert sw.appctl("dpif/dump-dps").stdout == "dummy@br0\n"
    for cmd in ("dpif/dump-flows", "fdb/show", "fdb/flush", "bridge/reconnect"):
        p = sw.appctl(cmd, "nobr", check=False)
        assert p.returncode == 2 and "no such bridge" in p.stderr, cmd
    assert sw.appctl("bridge/reconnect", "br0").returncode == 0
    p = sw.appctl("no/such-command", check=False)
    assert p.returncode == 2 and "is not a valid command" in p.stderr
    p = sw.appctl("netdev-dummy/receive", "nope", "00", check=False)
    assert p.returncode == 2 and "no such dummy netdev" in p.stderr
    p = sw.appctl("netdev-dummy/receive", "p1", "zz", check=False)
    assert p.returncode == 2


def test_exit_keeps_or_cleans_the_datapath(ours):
    db, sw = ours
    v(db, "add-br", "br0")
    sw.appctl("exit")
    sw.proc.wait(5)
    assert sw.proc.returncode == 0
    assert not sw.pidfile.exists() and not sw.ctl.exists()
    sw.start()
    wait_for(lambda: "br0" in show(sw), timeout=5, what="br0 again")
    sw.appctl("exit", "--cleanup")
    sw.proc.wait(5)
    assert sw.proc.returncode == 0


def test_a_second_switch_on_the_same_database_stays_idle(ours, tmp_path):
    db, sw = ours
    v(db, "add-br", "br0")
    with Vswitchd(db, tmp_path / "sw2", name="second") as sw2:
        wait_for(lambda: "another ovs-vswitchd process is running" in sw2.read_log(),
                 timeout=5, what="the lock warning")
        assert show(sw2) == {}
        v(db, "add-port", "br0", "p1")       # the first one still serves
        assert "p1" in show(sw)["br0"]["ports"]
        assert show(sw2) == {}
        # When the first goes, the second takes over.
        sw.stop()
        wait_for(lambda: "p1" in show(sw2).get("br0", {}).get("ports", {}), timeout=10,
                 what="the second switch to take over")


def test_bad_command_lines(tmp_path):
    from harness import build_path
    exe = build_path("vswitchd/vswitchd")
    p = run([exe, "--dpif=bogus"], check=False)
    assert p.returncode == 1 and "unknown datapath type 'bogus'" in p.stderr
    p = run([exe, "--frobnicate"], check=False)
    assert p.returncode == 1 and "unrecognized option '--frobnicate'" in p.stderr
    p = run([exe, "unix:/a", "unix:/b"], check=False)
    assert p.returncode == 1 and "non-option argument" in p.stderr
    p = run([exe, "--help"])
    assert "--dpif=TYPE" in p.stdout and "--pidfile" in p.stdout
    assert run([exe, "--version"]).stdout.startswith("ovs-vswitchd (vswitch) ")
    # --detach: the parent returns once the daemon serves; pidfile written.
    with OvsdbServer("ours", tmp_path / "db") as db:
        env = dict(os.environ, OVS_RUNDIR=str(tmp_path), OVS_LOGDIR=str(tmp_path))
        run([exe, db.unix, "--dpif=dummy", "--detach", "--pidfile", "--log-file", "--no-chdir",
             "-vconsole:off"], env=env)
        pid = int((tmp_path / "ovs-vswitchd.pid").read_text())
        ctl = tmp_path / f"ovs-vswitchd.{pid}.ctl"
        try:
            assert ctl.exists()
            assert appctl(ctl, "version").returncode == 0
            assert (tmp_path / "ovs-vswitchd.log").exists()
        finally:
            os.kill(pid, 15)
        wait_for(lambda: not ctl.exists(), timeout=5, what="the detached daemon to exit")
