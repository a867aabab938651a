"""OpenFlow in our vswitchd (dummy datapath): each bridge's management
socket $OVS_RUNDIR/BRIDGE.mgmt driven by Debian's ovs-ofctl 3.1 with its
default protocol (OpenFlow 1.0 + Nicira extensions).

  * parity: show, dump-flows, add-flow, add-flows, mod-flows (loose and
    strict), del-flows (loose and strict), dump-aggregate, dump-tables,
    dump-ports, dump-ports-desc print the same against our bridge as against
    Debian's ovs-vswitchd (its dummy datapath) given the same commands; only
    volatile fields (durations, ages, counters, MACs and the datapath id
    derived from them) are normalised;
  * the flow table decides forwarding: output, FLOOD, ALL, IN_PORT, LOCAL,
    NORMAL, VLAN rewrites, drops, counters, timeouts, fail_mode;
  * malformed and unknown messages get OpenFlow errors and the daemon goes on
    serving; version negotiation (1.0, 1.3, none in common).
"""
import os
import re
import socket
import struct
import subprocess


from harness import DebianVswitchd, OvsdbServer, Vswitchd, vsctl, wait_for

OFCTL = "/usr/bin/ovs-ofctl"


def v(server, *args):
    return vsctl(server, *args, no_wait=False)


def ofctl(rundir, *args, check=True):
    p = subprocess.run([OFCTL, *args], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, OVS_RUNDIR=str(rundir)))
    if check and p.returncode != 0:
        raise AssertionError(f"ovs-ofctl {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


SETUP = ["add-br", "br0", "--", "add-port", "br0", "p1", "--", "set", "Interface", "p1", "ofport_request=1",
         "--", "add-port", "br0", "p2", "--", "set", "Interface", "p2", "ofport_request=5",
         "--", "add-port", "br0", "p3", "--", "set", "Interface", "p3", "ofport_request=3"]


def on_debian(tmp_path, run):
    """The bridge of SETUP, its ports as dummy devices, on Debian's
    ovs-vswitchd (its dummy datapath) with Debian's ovsdb-server: returns
    run(rundir) where rundir holds br0.mgmt."""
    with OvsdbServer("debian", tmp_path / "deb") as db:
        vsctl(db, "init")
        with DebianVswitchd(db, tmp_path / "debsw") as deb:
            v(db, *SETUP, "--", "set", "Interface", "p1", "type=dummy", "--", "set", "Interface", "p2",
              "type=dummy", "--", "set", "Interface", "p3", "type=dummy")
            wait_for((deb.dir / "br0.mgmt").exists, what="Debian's br0.mgmt")
            return run(deb.dir)


FLOWS = """\
priority=300,dl_vlan=10,actions=strip_vlan,output:1
priority=50,tcp,tp_dst=80,actions=NORMAL
priority=60,ipv6,actions=drop
priority=70,in_port=LOCAL,actions=FLOOD
cookie=0x10,priority=80,arp,actions=ALL
priority=90,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=output:1,output:5
priority=20,udp,nw_src=10.0.0.0/8,actions=IN_PORT
hard_timeout=1000,priority=30,dl_type=0x88b5,actions=LOCAL
priority=41,in_port=5,actions=mod_vlan_vid:7,mod_vlan_pcp:3,output:1
priority=42,in_port=3,dl_src=02:00:00:00:00:03,actions=mod_dl_src:02:00:00:00:00:33,mod_dl_dst:02:00:00:00:00:44,output:1
priority=43,icmp,icmp_type=8,actions=CONTROLLER:128
"""

# (args, what) run against both switches in this order.
SCRIPT = [
    ("show",),
    ("dump-flows",),
    ("add-flow", "priority=100,in_port=1,ip,nw_dst=10.0.0.1,actions=output:5"),
    ("add-flow", "table=0,cookie=0x5,idle_timeout=300,dl_src=02:00:00:00:00:01,actions=drop"),
    ("add-flows", "@FLOWS"),
    ("dump-flows",),
    ("dump-flows", "ip"),
    ("dump-flows", "cookie=0x5/-1"),
    ("dump-flows", "out_port=1"),
    ("dump-aggregate",),
    ("mod-flows", "in_port=1,ip,nw_dst=10.0.0.1,actions=NORMAL"),
    ("mod-flows", "--strict", "priority=300,dl_vlan=10,actions=drop"),
    ("mod-flows", "--strict", "priority=301,dl_vlan=10,actions=drop"),
    ("mod-flows", "cookie=0x10/-1,actions=output:3"),
    ("dump-flows",),
    ("del-flows", "in_port=1"),
    ("del-flows", "--strict", "priority=50,tcp,tp_dst=80"),
    ("del-flows", "--strict", "priority=51,tcp,tp_dst=80"),
    ("del-flows", "cookie=0x10/-1"),
    ("dump-flows",),
    ("dump-tables",),
    ("dump-ports",),
    ("dump-ports", "br0", "5"),
    ("dump-ports-desc",),
    ("del-flows",),
    ("dump-flows",),
]


def normalise(text):
    t = text
    t = re.sub(r"dpid:[0-9a-f]{16}", "dpid:X", t)
    t = re.sub(r"addr:[0-9a-f:]{17}", "addr:X", t)
    t = re.sub(r"duration=[0-9.]+s", "duration=X", t)
    t = re.sub(r"\b(n_packets|n_bytes|idle_age|packet_count|byte_count|lookup|matched)=\d+", r"\1=X", t)
    t = re.sub(r" hard_age=\d+,", "", t)
    t = re.sub(r"\b(pkts|bytes|drop|errs|frame|over|crc|coll)=(\d+|\?)", r"\1=X", t)
    # What a switch supports and what its dummy devices claim to run at
    # (ours say 10 Gb/s, Debian's nothing): checked separately.
    t = re.sub(r"(?m)^actions: .*$", "actions: X", t)
    t = re.sub(r"(?m)^     current: .*\n", "", t)
    t = re.sub(r"(?m)^     speed: .*$", "     speed: X", t)
    return t


def blocks(text):
    """Flow lines sorted; port blocks sorted: orders are hash orders upstream."""
    lines = text.splitlines()
    if not lines:
        return []
    head, rest = lines[0], lines[1:]
    if "OFPST_PORT reply" in head:
        groups = [rest[i:i + 2] for i in range(0, len(rest), 2)]
        return [head] + sorted("\n".join(g) for g in groups)
    if head.startswith("NXST_FLOW") or head.startswith("OFPST_FLOW"):
        return [head] + sorted(rest)
    return lines


def run_script(rundir, flows_file):
    out = []
    for step in SCRIPT:
        args = [a.replace("@FLOWS", str(flows_file)) for a in step]
        # The bridge goes after the options.
        opts = [a for a in args[1:] if a.startswith("--")]
        rest = [a for a in args[1:] if not a.startswith("--")]
        if args[0] == "dump-ports" and rest and rest[0] == "br0":
            rest = rest[1:]
        p = ofctl(rundir, args[0], *opts, "br0", *rest)
        out.append((" ".join(step), blocks(normalise(p.stdout)), p.stderr))
    return out


def test_ofctl_parity_with_debian(tmp_path):
    flows_file = tmp_path / "flows.txt"
    flows_file.write_text(FLOWS)
    with OvsdbServer("ours", tmp_path / "ours") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            v(db, *SETUP)
            wait_for((tmp_path / "sw" / "br0.mgmt").exists, what="br0.mgmt")
            show = ofctl(sw.dir, "show", "br0").stdout
            assert ("actions: output set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src "
                    "mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst\n") in show
            assert show.count("current:    10GB-FD") == 3     # the dummy devices' speed
            # The bridge's own device starts down, as in the kernel (Debian's
            # dummy one starts up): `ip link set br0 up`.
            assert re.search(r"LOCAL\(br0\): addr:\S+\n     config:     PORT_DOWN\n", show), show
            sw.appctl("netdev-dummy/set-admin-state", "br0", "up")
            ours = run_script(sw.dir, flows_file)
            assert sw.proc.poll() is None
    theirs = on_debian(tmp_path, lambda d: run_script(d, flows_file))
    diffs = []
    for (step, o, oerr), (_, t, terr) in zip(ours, theirs):
        if (o, oerr) != (t, terr):
            diffs.append(f"== {step}\nours:\n" + "\n".join(o) + oerr + "\ntheirs:\n" + "\n".join(t) + terr)
    assert not diffs, "\n".join(diffs)
    # The script did something: flows were listed, then all deleted.
    dumps = [o for step, o, _ in ours if step == "dump-flows"]
    assert len(dumps[1]) == 1 + 2 + 1 + FLOWS.count("\n")
    assert dumps[-1] == ["NXST_FLOW reply (xid=0x4):"]


def mac(n):
    return f"02:00:00:00:00:{n:02x}"


def frame(dst, src, vid=None, pcp=0, ethertype="88b5"):
    h = dst.replace(":", "") + src.replace(":", "")
    if vid is not None:
        h += "8100" + f"{(pcp << 13) | vid:04x}"
    return h + ethertype + "ab" * 46


def sent(sw, iface):
    return sw.appctl("netdev-dummy/transmitted", iface).stdout.split()


def counts(sw, *ifaces):
    return [len(sent(sw, i)) for i in ifaces]


def flows_of(sw):
    return ofctl(sw.dir, "dump-flows", "br0").stdout.splitlines()[1:]


def test_flow_table_forwarding(sw):
    db = sw.db
    v(db, *SETUP)
    ports = ("p1", "p2", "p3", "br0")
    # The default flow: NORMAL floods an unknown destination.
    [default] = flows_of(sw)
    assert default.startswith(" cookie=0x0, duration=") and default.endswith(" priority=0 actions=NORMAL")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert counts(sw, *ports) == [0, 1, 1, 1]

    # in_port=1 goes to port 3 only, everything else is dropped.
    ofctl(sw.dir, "del-flows", "br0")
    ofctl(sw.dir, "add-flow", "br0", "in_port=1,actions=output:3")
    sw.appctl("revalidator/wait")
    for _ in range(3):
        sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    assert counts(sw, *ports) == [0, 0, 3, 0]
    sw.appctl("revalidator/wait")
    [line] = flows_of(sw)
    assert "n_packets=3," in line and "n_bytes=180," in line, line
    # The megaflow matches on what the table looks at (the input port).
    assert any("in_port(1)" in f for f in sw.appctl("dpif/dump-flows", "br0").stdout.splitlines())

    # FLOOD and ALL skip the input port; IN_PORT sends back; LOCAL to br0.
    ofctl(sw.dir, "add-flow", "br0", "in_port=1,actions=FLOOD")
    ofctl(sw.dir, "add-flow", "br0", "in_port=5,actions=IN_PORT")
    ofctl(sw.dir, "add-flow", "br0", "in_port=3,actions=LOCAL,output:3")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert counts(sw, *ports) == [0, 1, 1, 1]
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    assert counts(sw, *ports) == [0, 1, 0, 0]
    sw.appctl("netdev-dummy/receive", "p3", frame(mac(1), mac(3)))
    assert counts(sw, *ports) == [0, 0, 0, 1]   # output:3 is the input port: skipped

    # VLAN and Ethernet rewrites.
    ofctl(sw.dir, "add-flow", "br0", "priority=40000,in_port=1,dl_vlan=10,actions=strip_vlan,output:5")
    ofctl(sw.dir, "add-flow", "br0", "priority=40000,in_port=5,actions=mod_vlan_vid:7,mod_vlan_pcp:3,output:1")
    ofctl(sw.dir, "add-flow", "br0",
          "priority=40000,in_port=3,actions=mod_dl_src:02:00:00:00:00:33,mod_dl_dst:02:00:00:00:00:44,output:1")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1), vid=10))
    [out] = sent(sw, "p2")
    assert out == frame(mac(2), mac(1))
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    [out] = sent(sw, "p1")
    assert out == frame(mac(1), mac(2), vid=7, pcp=3)
    sw.appctl("netdev-dummy/receive", "p3", frame(mac(1), mac(3)))
    [out] = sent(sw, "p1")
    assert out == frame("02:00:00:00:00:44", "02:00:00:00:00:33")

    # A changed flow changes installed megaflows (revalidation).
    ofctl(sw.dir, "mod-flows", "br0", "in_port=5,actions=drop")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    assert counts(sw, *ports) == [0, 0, 0, 0]

    # Timeouts.
    ofctl(sw.dir, "add-flow", "br0", "priority=500,idle_timeout=1,in_port=2,actions=output:1")
    assert any("idle_timeout=1" in l for l in flows_of(sw))
    wait_for(lambda: not any("idle_timeout=1" in l for l in flows_of(sw)), timeout=15,
             what="the idle flow to expire")
    ofctl(sw.dir, "add-flow", "br0", "priority=500,hard_timeout=1,in_port=2,actions=output:1")
    wait_for(lambda: not any("hard_timeout=1" in l for l in flows_of(sw)), timeout=15,
             what="the hard-timeout flow to expire")


def test_fail_mode_and_new_bridges(sw):
    db = sw.db
    v(db, "add-br", "br1", "--", "set", "Bridge", "br1", "fail_mode=secure")
    v(db, "add-br", "br2")
    wait_for((sw.dir / "br1.mgmt").exists, what="br1.mgmt")
    assert ofctl(sw.dir, "dump-flows", "br1").stdout.splitlines()[1:] == []
    assert "priority=0 actions=NORMAL" in ofctl(sw.dir, "dump-flows", "br2").stdout
    # Standalone: the default flow appears; back to secure: flushed.
    v(db, "set", "Bridge", "br1", "fail_mode=standalone")
    assert "priority=0 actions=NORMAL" in ofctl(sw.dir, "dump-flows", "br1").stdout
    ofctl(sw.dir, "add-flow", "br1", "priority=5,actions=drop")
    v(db, "set", "Bridge", "br1", "fail_mode=secure")
    assert ofctl(sw.dir, "dump-flows", "br1").stdout.splitlines()[1:] == []
    # A removed bridge takes its socket with it.
    v(db, "del-br", "br2")
    assert not (sw.dir / "br2.mgmt").exists()
    p = ofctl(sw.dir, "show", "br2", check=False)
    assert p.returncode != 0


# Raw OpenFlow.

def hdr(version, type_, length, xid):
    return struct.pack("!BBHI", version, type_, length, xid)


def msg(version, type_, xid, body=b""):
    return hdr(version, type_, 8 + len(body), xid) + body


class Peer:
    def __init__(self, path, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(str(path))
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def recv(self):
        while True:
            if len(self.buf) >= 8:
                length = struct.unpack("!H", self.buf[2:4])[0]
                if len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    return m
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d

    def expect(self, type_, xid=None):
        m = self.recv()
        assert m is not None, "connection closed"
        ver, t, length, x = struct.unpack("!BBHI", m[:8])
        assert t == type_, (t, m.hex())
        if xid is not None:
            assert x == xid
        return m

    def error(self, xid):
        m = self.expect(1, xid)
        return struct.unpack("!HH", m[8:12])

    def hello(self, version=1, bitmap=None):
        body = b"" if bitmap is None else struct.pack("!HHI", 1, 8, bitmap)
        self.send(msg(version, 0, 1, body))
        h = self.expect(0)
        assert h[0] == 4 and struct.unpack("!HHI", h[8:16]) == (1, 8, 0x12)

    def closed(self):
        try:
            return self.recv() is None
        except ConnectionResetError:
            return True

    def close(self):
        self.s.close()


def test_malformed_messages_get_errors(sw):
    db = sw.db
    v(db, *SETUP)
    path = sw.dir / "br0.mgmt"
    wait_for(path.exists, what="br0.mgmt")

    p = Peer(path)
    p.hello(1)
    # Echo: same xid and payload.
    p.send(msg(1, 2, 77, b"ping!"))
    assert p.expect(3, 77)[8:] == b"ping!"
    # Unknown message type.
    p.send(msg(1, 99, 2))
    assert p.error(2) == (1, 1)            # OFPBRC_BAD_TYPE
    # A 1.3 message on a 1.0 connection.
    p.send(msg(4, 5, 3))
    assert p.error(3) == (1, 0)            # OFPBRC_BAD_VERSION
    # Unknown statistics type; truncated statistics request.
    p.send(msg(1, 16, 4, struct.pack("!HH", 77, 0)))
    assert p.error(4) == (1, 2)            # OFPBRC_BAD_STAT
    p.send(msg(1, 16, 5, b"\x00"))
    assert p.error(5) == (1, 6)            # OFPBRC_BAD_LEN
    # Unknown vendor; unknown Nicira subtype.
    p.send(msg(1, 4, 6, struct.pack("!II", 0x1234, 0)))
    assert p.error(6) == (1, 3)            # OFPBRC_BAD_VENDOR
    p.send(msg(1, 4, 7, struct.pack("!II", 0x2320, 9999)))
    assert p.error(7) == (1, 4)            # OFPBRC_BAD_SUBTYPE
    # A truncated flow_mod; a bad command; an action with a bad length; an
    # unsupported action; output to OFPP_NONE.
    p.send(msg(1, 14, 8, b"\x00" * 12))
    assert p.error(8) == (1, 6)
    wild = struct.pack("!I", (1 << 22) - 1) + b"\x00" * 36
    def fm(cmd, actions=b""):
        return wild + struct.pack("!QHHHHIHH", 0, cmd, 0, 0, 0x8000, 0xffffffff, 0xffff, 0) + actions
    p.send(msg(1, 14, 9, fm(9)))
    assert p.error(9) == (3, 4)            # OFPFMFC_BAD_COMMAND
    p.send(msg(1, 14, 10, fm(0, struct.pack("!HHHH", 0, 12, 1, 0))))
    assert p.error(10) == (2, 1)           # OFPBAC_BAD_LEN
    p.send(msg(1, 14, 11, fm(0, struct.pack("!HHI", 11, 16, 0) + b"\x00" * 8)))
    assert p.error(11) == (2, 0)           # OFPBAC_BAD_TYPE
    p.send(msg(1, 14, 12, fm(0, struct.pack("!HHHH", 0, 8, 0xffff, 0))))
    assert p.error(12) == (2, 4)           # OFPBAC_BAD_OUT_PORT
    # An NXM flow_mod whose match is broken (entry longer than the match).
    nxm = struct.pack("!I", 0x00000406) + b"\x00\x01"   # NXM_OF_ETH_DST claims 6 bytes, has 2
    body = struct.pack("!IIQHHHHIHHH", 0x2320, 13, 0, 0, 0, 0, 0x8000, 0xffffffff, 0xffff, 0, len(nxm)) + b"\x00" * 6
    body += nxm + b"\x00" * (8 - len(nxm) % 8)
    p.send(msg(1, 4, 13, body))
    # OFPBMC_BAD_LEN, which OpenFlow 1.0 cannot say: Open vSwitch's
    # NXBRC_UNENCODABLE_ERROR (1,521), a Nicira code, so inside NXET_VENDOR.
    e = p.expect(1, 13)
    vt, vc, vendor, t, c = struct.unpack("!HHIHH", e[8:20])
    assert (vt, vc, vendor, t, c) == (0xb0c2, 0, 0x2320, 1, 521)
    # Barrier and features still answered on the same connection.
    p.send(msg(1, 18, 14))
    p.expect(19, 14)
    p.send(msg(1, 5, 15))
    f = p.expect(6, 15)
    assert (len(f) - 32) % 48 == 0 and (len(f) - 32) // 48 == 4    # p1, p2, p3, br0
    # A header whose length is impossible: error, then the connection closes.
    p.send(hdr(1, 2, 4, 16))
    assert p.error(16) == (1, 6)
    assert p.closed()
    p.close()

    # A message before hello: refused and closed.
    p = Peer(path)
    p.send(msg(1, 5, 1))
    p.expect(0)            # our hello
    assert p.error(1) == (0, 0)            # OFPHFC_INCOMPATIBLE
    assert p.closed()
    p.close()
    # No common version: refused and closed.
    p = Peer(path)
    p.send(msg(6, 0, 1, struct.pack("!HHI", 1, 8, 1 << 6)))
    p.expect(0)
    assert p.error(1)[0] == 0
    assert p.closed()
    p.close()
    # Garbage then disconnect.
    p = Peer(path)
    p.send(b"\xff" * 3)
    p.close()

    # OpenFlow 1.3: negotiated from a bitmap; the connection-level messages.
    p = Peer(path)
    p.hello(6, bitmap=(1 << 1) | (1 << 4) | (1 << 6))
    p.send(msg(4, 5, 2))
    f = p.expect(6, 2)
    assert f[0] == 4 and len(f) == 32 and f[20] == 254
    p.send(msg(4, 18, 3, struct.pack("!HH4x", 13, 0)))      # port desc
    m = p.expect(19, 3)
    assert (len(m) - 16) // 64 == 4
    p.send(msg(4, 18, 4, struct.pack("!HH4x", 3, 0)))       # table stats
    m = p.expect(19, 4)
    assert (len(m) - 16) // 24 == 254
    p.send(msg(4, 18, 5, struct.pack("!HH4x", 0, 0)))       # desc
    assert len(p.expect(19, 5)) == 16 + 1056
    p.send(msg(4, 20, 6))
    p.expect(21, 6)
    p.send(msg(4, 7, 7))
    assert p.expect(8, 7)[8:] == b"\x00\x00\x00\x00"
    p.send(msg(4, 9, 8, struct.pack("!HH", 0, 128)))
    p.send(msg(4, 7, 9))
    assert p.expect(8, 9)[8:] == b"\x00\x00\x00\x80"
    p.send(msg(4, 18, 10, struct.pack("!HH4x", 99, 0)))
    assert p.error(10) == (1, 2)           # OFPBRC_BAD_MULTIPART
    p.close()

    # Still serving, with ovs-ofctl at 1.0 and 1.3.
    assert sw.proc.poll() is None
    assert "LOCAL(br0)" in ofctl(sw.dir, "show", "br0").stdout
    out = ofctl(sw.dir, "-O", "OpenFlow13", "show", "br0").stdout
    assert "OFPT_FEATURES_REPLY (OF1.3)" in out and " 5(p2): addr:" in out
    assert "n_tables:254" in out
