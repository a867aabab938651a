"""Forwarding in our vswitchd on the dummy datapath: frames injected with
`ovs-appctl netdev-dummy/receive`, what left each port read back with
`netdev-dummy/transmitted`; the NORMAL learning switch, VLANs, fdb/show,
megaflows in dpif/dump-flows, revalidation, idle expiry, fail_mode.  The
MAC table is also compared with Debian's ovs-vswitchd (its dummy datapath,
--enable-dummy=override) fed the same frames.
"""
import re


from harness import DebianVswitchd, OvsdbServer, Vswitchd, vsctl, wait_for


def v(server, *args):
    return vsctl(server, *args, no_wait=False)


def mac(n):
    return f"02:00:00:00:00:{n:02x}"


def frame(dst, src, vid=None, pcp=0, ethertype="88b5"):
    """Hex Ethernet frame; dst/src are MAC strings."""
    h = dst.replace(":", "") + src.replace(":", "")
    if vid is not None:
        h += "8100" + f"{(pcp << 13) | vid:04x}"
    return h + ethertype + "ab" * 46


BCAST = "ff:ff:ff:ff:ff:ff"


def sent(sw, iface):
    """Frames sent out of iface since last asked: [(vid or None, dst, src)]."""
    out = []
    for line in sw.appctl("netdev-dummy/transmitted", iface).stdout.split():
        vid = int(line[28:32], 16) & 0xfff if line[24:28] == "8100" else None
        out.append((vid, line[0:12], line[12:24]))
    return out


def drain(sw, *ifaces):
    for i in ifaces:
        sent(sw, i)


def fdb(sw, bridge="br0"):
    lines = sw.appctl("fdb/show", bridge).stdout.splitlines()
    assert lines[0] == " port  VLAN  MAC                Age"
    return sorted((l.split()[0], int(l.split()[1]), l.split()[2]) for l in lines[1:])


def flows(sw, bridge="br0"):
    return [l for l in sw.appctl("dpif/dump-flows", bridge).stdout.splitlines() if l]


def test_learning_switch(sw):
    db = sw.db
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2",
      "--", "add-port", "br0", "p3")
    # Unknown destination: flooded to every other port (br0 included).
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert [len(sent(sw, p)) for p in ("p1", "p2", "p3", "br0")] == [0, 1, 1, 1]
    # The reply goes to p1 only: 1 was learned on p1.
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    assert [len(sent(sw, p)) for p in ("p1", "p2", "p3", "br0")] == [1, 0, 0, 0]
    assert fdb(sw) == [("1", 0, mac(1)), ("2", 0, mac(2))]
    # Once the revalidator has seen 2 learned, 1 -> 2 goes to p2 alone.
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert [len(sent(sw, p)) for p in ("p1", "p2", "p3", "br0")] == [0, 1, 0, 0]
    # Megaflows: in_port, Ethernet addresses, nothing above.
    fl = flows(sw)
    assert len(fl) == 2, fl
    assert any(re.search(r"in_port\(1\),eth\(src=02:00:00:00:00:01,dst=02:00:00:00:00:02\), "
                         r"packets:\d+, bytes:\d+, used:[^,]+, actions:2$", f) for f in fl), fl
    assert any(re.search(r"in_port\(2\),eth\(src=02:00:00:00:00:02,dst=02:00:00:00:00:01\).*actions:1$", f)
               for f in fl), fl
    assert "ufid:" in sw.appctl("dpif/dump-flows", "-m", "br0").stdout
    # A second packet of the same megaflow is handled by the datapath.
    hit = int(re.search(r"hit:(\d+)", sw.appctl("dpif/show").stdout).group(1))
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1), ethertype="0806"))
    assert int(re.search(r"hit:(\d+)", sw.appctl("dpif/show").stdout).group(1)) == hit + 1
    assert len(sent(sw, "p2")) == 1
    # fdb/flush forgets, and floods resume.  (The revalidator re-learns from
    # flows that passed packets since its last pass: let it see them first.)
    sw.appctl("revalidator/wait")
    assert sw.appctl("fdb/flush", "br0").stdout == "table successfully flushed\n"
    assert fdb(sw) == []
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p3", frame(mac(1), mac(3)))
    assert [len(sent(sw, p)) for p in ("p1", "p2", "p3", "br0")] == [1, 1, 0, 1]
    up = sw.appctl("upcall/show").stdout
    assert "flows installed" in up


def test_fdb_flush_of_every_bridge_memory_show_and_vlog_set(sw):
    db = sw.db
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2",
      "--", "add-br", "br1", "--", "add-port", "br1", "q1", "--", "add-port", "br1", "q2")
    # Misses are logged at debug level only once vlog/set asks for it.
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert "miss on port" not in sw.read_log()
    sw.appctl("vlog/set", "upcall:file:dbg")
    sw.appctl("netdev-dummy/receive", "q1", frame(mac(4), mac(3)))
    wait_for(lambda: "br1: miss on port" in sw.read_log(), timeout=5, what="the debug line")
    sw.appctl("vlog/set", "upcall:file:info")
    assert fdb(sw, "br0") == [("1", 0, mac(1))] and fdb(sw, "br1") == [("1", 0, mac(3))]
    assert "mac-entries:2" in sw.appctl("memory/show").stdout
    # fdb/flush without a bridge empties every bridge's table.
    sw.appctl("revalidator/wait")
    assert sw.appctl("fdb/flush").stdout == "table successfully flushed\n"
    assert fdb(sw, "br0") == [] and fdb(sw, "br1") == []
    assert "mac-entries:0" in sw.appctl("memory/show").stdout


def test_vlan_access_ports_isolate_and_trunks_tag(sw):
    db = sw.db
    v(db, "add-br", "br0",
      "--", "add-port", "br0", "a10", "tag=10", "--", "add-port", "br0", "b10", "tag=10",
      "--", "add-port", "br0", "a20", "tag=20", "--", "add-port", "br0", "b20", "tag=20",
      "--", "add-port", "br0", "tr", "trunks=10,20")
    ports = ("a10", "b10", "a20", "b20", "tr", "br0")
    sw.appctl("netdev-dummy/receive", "a10", frame(BCAST, mac(1)))
    got = {p: sent(sw, p) for p in ports}
    assert got["b10"] == [(None, "f" * 12, mac(1).replace(":", ""))]
    assert got["tr"] == [(10, "f" * 12, mac(1).replace(":", ""))]
    assert got["a20"] == got["b20"] == [] and got["a10"] == []
    assert got["br0"] == [(10, "f" * 12, mac(1).replace(":", ""))]   # br0 trunks all VLANs
    sw.appctl("netdev-dummy/receive", "a20", frame(BCAST, mac(2)))
    got = {p: sent(sw, p) for p in ports}
    assert [p for p in ports if got[p]] == ["b20", "tr", "br0"]
    assert got["tr"][0][0] == 20
    # The same MAC in two VLANs is two entries; a tagged frame into an access port is dropped.
    sw.appctl("netdev-dummy/receive", "tr", frame(mac(1), mac(9), vid=20))
    assert got["a10"] == [] and sent(sw, "a10") == []
    assert sent(sw, "b20") and sent(sw, "a20") and sent(sw, "br0")
    sw.appctl("netdev-dummy/receive", "a10", frame(BCAST, mac(5), vid=10))
    assert all(sent(sw, p) == [] for p in ports)
    # Ports are numbered in name order: a10 1, a20 2, b10 3, b20 4, tr 5.
    assert fdb(sw) == sorted([("1", 10, mac(1)), ("2", 20, mac(2)), ("5", 20, mac(9))])
    # Changing a port's tag moves it: b10 joins VLAN 20 (its MACs are forgotten).
    v(db, "set", "Port", "b10", "tag=20")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "a20", frame(BCAST, mac(2)))
    assert sent(sw, "b10") and not sent(sw, "a10")


def test_deleting_a_port_stops_its_traffic(sw):
    db = sw.db
    v(db, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    drain(sw, "p1", "p2", "br0")
    v(db, "del-port", "br0", "p2")
    # The megaflow p1 -> p2 stays in the datapath until revalidation removes
    # it (as in Open vSwitch; meanwhile its packets are dropped): wait for it.
    sw.appctl("revalidator/wait")
    p = sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)), check=False)
    assert p.returncode == 2          # no such port any more
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert sent(sw, "p1") == []
    assert len(sent(sw, "br0")) == 1     # 2 forgotten: flooded to what is left
    assert all(l.split()[0] != "2" for l in sw.appctl("fdb/show", "br0").stdout.splitlines()[1:])


def test_idle_flows_expire(sw):
    db = sw.db
    v(db, "set", "Open_vSwitch", ".", "other_config:max-idle=1000",
      "--", "add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert len(flows(sw)) == 1
    wait_for(lambda: not flows(sw), timeout=6, interval=0.2, what="the idle flow to expire")
    assert "rev_flow_idle" in sw.appctl("coverage/show").stdout


def test_secure_bridge_forwards_nothing(sw):
    db = sw.db
    v(db, "add-br", "br0", "--", "set-fail-mode", "br0", "secure",
      "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    sw.appctl("netdev-dummy/receive", "p1", frame(BCAST, mac(1)))
    assert sent(sw, "p2") == [] and sent(sw, "br0") == []
    assert fdb(sw) == []
    assert re.search(r"in_port\(1\).*actions:drop", sw.appctl("dpif/dump-flows", "br0").stdout)
    # Back to standalone: the drop flow is revalidated into a flood.
    v(db, "del-fail-mode", "br0")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p1", frame(BCAST, mac(1)))
    assert len(sent(sw, "p2")) == 1


def test_mac_table_size_and_aging_settings(sw):
    db = sw.db
    v(db, "add-br", "br0", "--", "set", "Bridge", "br0", "other_config:mac-table-size=3",
      "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2")
    for n in range(1, 6):
        sw.appctl("netdev-dummy/receive", "p1", frame(BCAST, mac(n)))
    table = fdb(sw)
    assert len(table) == 3 and {m for _, _, m in table} == {mac(3), mac(4), mac(5)}
    v(db, "set", "Bridge", "br0", "other_config:mac-aging-time=1")
    wait_for(lambda: fdb(sw) == [], timeout=5, interval=0.2, what="MAC entries to age out")


def test_fdb_show_matches_debians_ovs_vswitchd(tmp_path):
    """The same frames into our switch and Debian's (dummy datapaths): the
    same MAC table, in the same layout."""
    frames = [("p1", frame(BCAST, mac(1))), ("p2", frame(mac(1), mac(2))),
              ("p3", frame(mac(1), mac(3), vid=10)), ("p3", frame(BCAST, mac(4), vid=20)),
              ("p4", frame(BCAST, mac(5))), ("p2", frame(BCAST, mac(1)))]
    setup = ["add-br", "br0", "--", "add-port", "br0", "p1", "--", "set", "Interface", "p1", "ofport_request=1",
             "--", "add-port", "br0", "p2", "--", "set", "Interface", "p2", "ofport_request=2",
             "--", "add-port", "br0", "p3", "trunks=10,20", "--", "set", "Interface", "p3", "ofport_request=3",
             "--", "add-port", "br0", "p4", "tag=30", "--", "set", "Interface", "p4", "ofport_request=4"]

    def table(text):
        lines = text.splitlines()
        return lines[0], sorted(" ".join(l.split()[:3]) for l in lines[1:])

    # Ours.
    with OvsdbServer("ours", tmp_path / "ours") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            v(db, *setup)
            for p, f in frames:
                sw.appctl("netdev-dummy/receive", p, f)
            ours = table(sw.appctl("fdb/show", "br0").stdout)
    # Debian's ovs-vswitchd, its dummy datapath standing in for the kernel.
    with OvsdbServer("debian", tmp_path / "deb") as db:
        vsctl(db, "init")
        with DebianVswitchd(db, tmp_path / "debsw") as deb:
            v(db, *setup, "--", "set", "Interface", "p1", "type=dummy", "--", "set", "Interface", "p2",
              "type=dummy", "--", "set", "Interface", "p3", "type=dummy", "--", "set", "Interface", "p4",
              "type=dummy")
            for p, f in frames:
                deb.appctl("netdev-dummy/receive", p, f)
            theirs = table(deb.appctl("fdb/show", "br0").stdout)
    assert ours == theirs
    assert len(ours[1]) == 5
