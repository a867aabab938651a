"""OpenFlow asynchronous messages of our vswitchd (dummy datapath), against
Debian's ovs-vswitchd 3.1 on its dummy datapath doing the same:

  * `ovs-ofctl monitor br0 65534` in each packet-in format (NXT_PACKET_IN2,
    NXT_PACKET_IN, standard) at OpenFlow 1.0 and 1.3 prints the same
    packet-ins (table miss, CONTROLLER actions with the packet as the earlier
    actions left it, a table-miss flow, packet-outs from NONE, CONTROLLER and
    LOCAL), flow removals (delete, idle timeout) and port status (add,
    modify, delete) on both switches; a monitor without a miss_send_len gets
    nothing;
  * `ovs-ofctl packet-out` executes its actions through the datapath;
  * a flow that sends to the controller sends every packet, not only the
    first (the megaflow carries a userspace action, as upstream's does);
  * OFPT_SET_ASYNC / OFPT_GET_ASYNC_REQUEST and NXT_SET_ASYNC_CONFIG masks
    are honoured (raw OpenFlow, on both switches).
"""
import os
import re
import socket
import struct
import subprocess

import pytest

from harness import DebianVswitchd, OvsdbServer, Vswitchd, appctl, vsctl, wait_for
from test_vswitchd_openflow import Peer, msg

OFCTL = "/usr/bin/ovs-ofctl"

# 92 bytes: UDP 10.0.0.1:1234 -> 10.0.0.2:5678, 02:..:01 -> 02:..:02.
PKT = ("020000000002" "020000000001" "0800"
       "4500004e0001000040117c9c0a0000010a000002" "04d2162e003a0000" + "ab" * 50)
# The same from 02:..:05 to 02:..:06.
PKT2 = "020000000006" "020000000005" + PKT[24:]


def ofctl(rundir, *args, check=True):
    p = subprocess.run([OFCTL, *args], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, OVS_RUNDIR=str(rundir)))
    if check and p.returncode != 0:
        raise AssertionError(f"ovs-ofctl {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


class Monitor:
    """`ovs-ofctl monitor` on br0, its output in a file; barrier() proves
    that everything the switch sent before has arrived."""

    def __init__(self, rundir, workdir, name, args):
        self.out = workdir / f"monitor-{name}.txt"
        self.ctl = workdir / f"monitor-{name}.ctl"
        self.proc = subprocess.Popen(
            [OFCTL, "monitor", *args, f"--unixctl={self.ctl}"], stdout=open(self.out, "w"),
            stderr=subprocess.STDOUT, env=dict(os.environ, OVS_RUNDIR=str(rundir)))
        wait_for(self.ctl.exists, what=f"ovs-ofctl monitor {name}")
        self.barrier()

    def barrier(self):
        appctl(self.ctl, "ofctl/barrier")

    def messages(self):
        return len(re.findall(r"(?m)^(?:OFPT|NXT)_(?!BARRIER)", self.out.read_text()))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        return self.out.read_text()


MONITORS = {
    "nx2": ["br0", "65534"],
    "nx1": ["--packet-in-format=nxt_packet_in", "br0", "65534"],
    "std": ["--packet-in-format=standard", "br0", "65534"],
    "of13": ["-O", "OpenFlow13", "br0", "65534"],
    "of13std": ["-O", "OpenFlow13", "--packet-in-format=standard", "br0", "65534"],
    "nomiss": ["br0"],
}


def normalise(text, of13):
    t = re.sub(r"(?m)^.*fatal_signal.*\n?", "", text)
    t = re.sub(r"(?m)^OFPT_BARRIER_REPLY.*\n", "", t)
    t = re.sub(r"duration[0-9.]+s", "durationX", t)
    t = re.sub(r"addr:[0-9a-f:]{17}", "addr:X", t)
    t = re.sub(r"(?m)^     (current|speed): .*\n", "", t)
    if of13:
        # OpenFlow 1.3 port state has OFPPS_LIVE, which Debian reports and
        # we do not yet: the 1.3 port status is checked on its own below.
        t = re.sub(r"(?m)^OFPT_PORT_STATUS.*\n(?:     .*\n)*", "", t)
    return t


def scenario(sw, db, debian, tmp):
    dummy = ["--", "set", "Interface", "p1", "type=dummy", "--", "set", "Interface", "p2", "type=dummy"]
    vsctl(db, "add-br", "br0", "--", "set-fail-mode", "br0", "secure",
          "--", "add-port", "br0", "p1", "--", "set", "Interface", "p1", "ofport_request=1",
          "--", "add-port", "br0", "p2", "--", "set", "Interface", "p2", "ofport_request=2",
          *(dummy if debian else []), no_wait=False)
    wait_for((sw.dir / "br0.mgmt").exists, what="br0.mgmt")
    if not debian:
        sw.appctl("netdev-dummy/set-admin-state", "br0", "up")
    mons = {name: Monitor(sw.dir, tmp, name, args) for name, args in MONITORS.items()}
    main = mons["nx2"]
    seen = [0]

    def step(n_new, action):
        action()
        want = seen[0] + n_new
        wait_for(lambda: main.messages() >= want, timeout=15, what=f"{want} messages on the monitor")
        seen[0] = want
        for m in mons.values():
            m.barrier()

    recv = lambda port, pkt: (lambda: sw.appctl("netdev-dummy/receive", port, pkt))
    # A miss in a secure bridge without flows: to OpenFlow 1.0 connections.
    step(1, recv("p1", PKT))
    ofctl(sw.dir, "add-flow", "br0",
          "cookie=0x42,priority=77,in_port=1,actions=mod_dl_src:02:00:00:00:00:99,controller:32,output:2")
    sw.appctl("revalidator/wait")
    step(1, recv("p1", PKT))
    step(1, recv("p1", PKT))
    # A table-miss flow: "action" in 1.0, "no_match" in 1.3.
    ofctl(sw.dir, "add-flow", "br0", "priority=0,actions=controller")
    sw.appctl("revalidator/wait")
    step(1, recv("p2", PKT2))
    # Flow removals.
    ofctl(sw.dir, "add-flow", "br0", "send_flow_rem,cookie=0x8,priority=9,in_port=2,ip,actions=drop")
    ofctl(sw.dir, "add-flow", "br0", "cookie=0x9,priority=9,in_port=2,ipv6,actions=drop")
    step(1, lambda: ofctl(sw.dir, "del-flows", "br0", "in_port=2,ip"))
    step(0, lambda: ofctl(sw.dir, "del-flows", "br0", "in_port=2,ipv6"))   # no send_flow_rem
    step(1, lambda: ofctl(sw.dir, "add-flow", "br0",
                          "send_flow_rem,cookie=0x7,priority=9,idle_timeout=1,in_port=2,arp,actions=drop"))
    # Packet-outs.
    step(1, lambda: ofctl(sw.dir, "packet-out", "br0", "none", "controller", PKT))
    step(1, lambda: ofctl(sw.dir, "packet-out", "br0", "controller", "controller:10", PKT))
    step(1, lambda: ofctl(sw.dir, "packet-out", "br0", "LOCAL", "mod_dl_dst:02:00:00:00:00:77,controller", PKT))
    step(0, lambda: ofctl(sw.dir, "packet-out", "br0", "1", "output:2", PKT))
    tx = re.search(r"port  2: rx pkts=\S+ bytes=\S+ drop=\S+ errs=\S+ frame=\S+ over=\S+ crc=\S+\n\s+tx pkts=(\d+)",
                   ofctl(sw.dir, "dump-ports", "br0", "2").stdout)
    # Port status.
    step(1, lambda: vsctl(db, "add-port", "br0", "p3", "--", "set", "Interface", "p3", "ofport_request=3",
                          *(["type=dummy"] if debian else []), no_wait=False))
    step(1, lambda: sw.appctl("netdev-dummy/set-admin-state", "p2", "down"))
    step(1, lambda: vsctl(db, "del-port", "br0", "p3", no_wait=False))
    return {name: m.stop() for name, m in mons.items()}, int(tx.group(1)) if tx else None


def test_monitor_parity_with_debian(tmp_path):
    with OvsdbServer("ours", tmp_path / "ours") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            ours, ours_tx = scenario(sw, db, False, tmp_path / "sw")
            assert sw.proc.poll() is None
    with OvsdbServer("debian", tmp_path / "deb") as db:
        vsctl(db, "init")
        with DebianVswitchd(db, tmp_path / "debsw") as deb:
            theirs, theirs_tx = scenario(deb, db, True, tmp_path / "debsw")
    for name in MONITORS:
        o = normalise(ours[name], name.startswith("of13"))
        t = normalise(theirs[name], name.startswith("of13"))
        assert o == t, f"monitor {name}:\n--- ours\n{o}\n--- Debian's\n{t}"
    # What the comparison covered.
    nx2 = ours["nx2"]
    assert nx2.count("NXT_PACKET_IN2") == 7
    assert "(via no_match)" in nx2 and "dl_src=02:00:00:00:00:99" in nx2
    assert "in_port=ANY" in nx2 and "in_port=CONTROLLER" in nx2 and "in_port=LOCAL" in nx2
    assert "reason=delete cookie:0x8" in nx2 and "reason=idle cookie:0x7" in nx2
    assert "cookie:0x9" not in nx2
    assert re.search(r"PORT_STATUS.*ADD: 3\(p3\)", nx2) and re.search(r"PORT_STATUS.*DEL: 3\(p3\)", nx2)
    assert "MOD: 2(p2)" in nx2
    assert ours["std"].count("OFPT_PACKET_IN (xid=0x0)") == 7
    assert ours["nx1"].count("NXT_PACKET_IN (xid=0x0)") == 7
    assert ours["of13std"].count("OFPT_PACKET_IN (OF1.3)") == 6     # no implicit miss in 1.3
    assert "(via no_match)" in ours["of13"]                          # the table-miss flow
    assert "OFPT_PORT_STATUS (OF1.3)" in ours["of13"]
    assert normalise(ours["nomiss"], False) == ""
    # The packet-out reached p2, besides the two packets the flow sent there.
    assert ours_tx == theirs_tx == 3


def frame_in(sw, port, n):
    for _ in range(n):
        sw.appctl("netdev-dummy/receive", port, PKT)


def test_controller_flow_sends_every_packet(sw):
    db = sw.db
    vsctl(db, "add-br", "br0", "--", "set-fail-mode", "br0", "secure",
          "--", "add-port", "br0", "p1", "--", "set", "Interface", "p1", "ofport_request=1",
          "--", "add-port", "br0", "p2", "--", "set", "Interface", "p2", "ofport_request=2", no_wait=False)
    wait_for((sw.dir / "br0.mgmt").exists, what="br0.mgmt")
    ofctl(sw.dir, "add-flow", "br0", "in_port=1,actions=controller,output:2")
    mon = Monitor(sw.dir, sw.dir, "m", ["br0", "65534"])
    frame_in(sw, "p1", 5)
    wait_for(lambda: mon.messages() >= 5, what="5 packet-ins")
    flows = sw.appctl("dpif/dump-flows", "br0").stdout
    [mega] = [line for line in flows.splitlines() if "in_port(1)" in line]
    assert "userspace(" in mega and mega.rstrip().endswith(",2"), mega
    assert "packets:4" in mega, mega      # the first packet missed, the others hit it
    frame_in(sw, "p1", 3)
    wait_for(lambda: mon.messages() >= 8, what="8 packet-ins")
    assert len(sw.appctl("netdev-dummy/transmitted", "p2").stdout.split()) == 8
    upcall = sw.appctl("upcall/show").stdout
    assert mon.stop().count("(via action)") == 8
    # Without an OpenFlow 1.0 connection a miss is dropped, not sent up.
    ofctl(sw.dir, "del-flows", "br0")
    sw.appctl("revalidator/wait")
    frame_in(sw, "p1", 1)
    sw.appctl("revalidator/wait")
    assert not any("userspace(" in l for l in sw.appctl("dpif/dump-flows", "br0").stdout.splitlines()), upcall


# Raw OpenFlow: async configuration.

class AsyncPeer(Peer):
    """A raw OpenFlow connection that says hello at `version` first and then
    sends messages as (type, body, xid)."""

    def __init__(self, path, version):
        super().__init__(path)
        self.version = version
        super().send(msg(version, 0, 1, struct.pack("!HHI", 1, 8, 1 << version)))
        assert self.next()[1] == 0

    def next(self, timeout=10):
        self.s.settimeout(timeout)
        m = self.recv()
        assert m is not None, "connection closed"
        return m

    def send(self, type_, body=b"", xid=9):
        super().send(msg(self.version, type_, xid, body))

    def barrier(self, xid=77):
        """Every message before the barrier reply, in order."""
        self.send(18 if self.version == 1 else 20, xid=xid)
        out = []
        while True:
            m = self.next()
            if m[1] == (19 if self.version == 1 else 21) and struct.unpack("!I", m[4:8])[0] == xid:
                return out
            out.append(m)

    def packet_out_to_controller(self, pkt=PKT):
        data = bytes.fromhex(pkt)
        if self.version == 1:
            acts = struct.pack("!HHHH", 0, 8, 0xfffd, 0xffff)
            body = struct.pack("!IHH", 0xffffffff, 0xffff, len(acts)) + acts + data
        else:
            acts = struct.pack("!HHIH6x", 0, 16, 0xfffffffd, 0xffff)
            body = struct.pack("!IIH6x", 0xffffffff, 0xffffffff, len(acts)) + acts + data
        self.send(13, body)

    def quiet(self, seconds=1.0):
        """No message arrives for a while (Debian checks the masks when it
        sends a packet-in, which is after the packet-out's barrier)."""
        try:
            m = self.next(timeout=seconds)
        except socket.timeout:
            return True
        raise AssertionError(f"unexpected message {m.hex()}")

    def packet_in(self):
        """The next packet-in's packet (replies to other requests skipped).
        Packet-ins may come after the barrier that follows their packet-out
        (Debian's do): they are waited for."""
        while True:
            m = self.next()
            if m[1] == 10:
                return m[-92:].hex()


def masks(pin, ps, fr):
    return struct.pack("!6I", pin[0], pin[1], ps[0], ps[1], fr[0], fr[1])


@pytest.mark.parametrize("impl", ["ours", "debian"])
def test_async_config_masks(tmp_path, impl):
    with OvsdbServer(impl if impl == "ours" else "debian", tmp_path / "db") as db:
        vsctl(db, "init")
        cls = Vswitchd if impl == "ours" else DebianVswitchd
        with cls(db, tmp_path / "sw") as sw:
            vsctl(db, "add-br", "br0", "--", "set-fail-mode", "br0", "secure", no_wait=False)
            path = sw.dir / "br0.mgmt"
            wait_for(path.exists, what="br0.mgmt")

            p = AsyncPeer(path, 4)
            p.send(9, struct.pack("!HH", 0, 0xffff))         # set_config: miss_send_len
            p.packet_out_to_controller()
            assert p.packet_in() == PKT
            # The defaults.
            p.send(26, xid=5)
            [reply] = p.barrier()
            assert reply[1] == 27 and reply[8:] == masks((3, 0), (7, 7), (15, 0))
            # Packet-ins for NO_MATCH only: the packet-out's (reason ACTION)
            # is not sent; with ACTION back on, the next one is.
            p.send(28, masks((1, 3), (7, 7), (15, 0)))
            p.send(26, xid=6)
            [reply] = p.barrier()
            assert reply[8:] == masks((1, 3), (7, 7), (15, 0))
            p.packet_out_to_controller(PKT)
            assert p.quiet()
            p.send(28, masks((2, 0), (7, 7), (15, 0)))
            p.packet_out_to_controller(PKT2)
            assert p.packet_in() == PKT2
            # A malformed set_async is refused with OFPBRC_BAD_LEN.
            p.send(28, b"\x00" * 20, xid=7)
            [err] = p.barrier()
            assert err[1] == 1 and struct.unpack("!HH", err[8:12]) == (1, 6)

            # OpenFlow 1.0 with NXT_SET_ASYNC_CONFIG.
            q = AsyncPeer(path, 1)
            q.send(9, struct.pack("!HH", 0, 0xffff))
            q.packet_out_to_controller()
            assert q.packet_in() == PKT
            q.send(4, struct.pack("!II", 0x2320, 19) + masks((1, 0), (7, 7), (15, 0)))
            q.packet_out_to_controller(PKT)
            assert q.quiet()
            q.send(4, struct.pack("!II", 0x2320, 19) + masks((2, 0), (7, 7), (15, 0)))
            q.packet_out_to_controller(PKT2)
            assert q.packet_in() == PKT2
            # A packet-in format that does not exist: OFPBRC_EPERM.
            q.send(4, struct.pack("!III", 0x2320, 16, 9), xid=8)
            [err] = q.barrier()
            assert struct.unpack("!HH", err[8:12]) == (1, 5)
