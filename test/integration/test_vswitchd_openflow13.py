"""OpenFlow 1.3 flow management in our vswitchd (dummy datapath), driven by
Debian's ovs-ofctl 3.1 with `-O OpenFlow13`:

  * parity: add-flow, add-flows, mod-flows, del-flows (loose, strict, by
    cookie), dump-flows (with matches, cookies, out_port), dump-aggregate,
    dump-tables, dump-ports, dump-ports-desc and show print the same against
    our bridge as against Debian's ovs-vswitchd, errors included (an
    overlap); flows added in OpenFlow 1.0 are dumped in 1.3 and back;
  * instructions: apply-actions, clear-actions and write-actions forward
    frames as Open vSwitch does; push_vlan/set_field/pop_vlan rewrite them;
  * goto_table, meters and write_metadata are refused with OFPBIC_UNSUP_INST,
    and malformed 1.3 flow_mods get the error Debian's switch sends.
"""
import struct

from harness import OvsdbServer, Vswitchd, vsctl, wait_for
from test_vswitchd_openflow import (SETUP, Peer, on_debian, blocks, counts, frame, mac, msg, normalise, ofctl, sent, v)

O13 = ("-O", "OpenFlow13")

FLOWS13 = """\
priority=300,dl_vlan=10,actions=pop_vlan,output:1
priority=50,tcp,tp_dst=80,actions=NORMAL
priority=60,ipv6,actions=drop
priority=70,in_port=LOCAL,actions=FLOOD
cookie=0x10,priority=80,arp,actions=ALL
priority=90,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=output:1,output:5
priority=20,udp,nw_src=10.0.0.0/8,actions=IN_PORT
hard_timeout=1000,priority=30,dl_type=0x88b5,actions=LOCAL
priority=41,in_port=5,actions=mod_vlan_vid:7,mod_vlan_pcp:3,output:1
priority=44,in_port=5,dl_vlan=9,actions=set_field:4104->vlan_vid,set_field:5->vlan_pcp,output:1
priority=45,in_port=3,actions=push_vlan:0x88a8,set_field:4105->vlan_vid,output:5
priority=42,in_port=3,dl_src=02:00:00:00:00:03,actions=set_field:02:00:00:00:00:33->eth_src,mod_dl_dst:02:00:00:00:00:44,output:1
priority=43,icmp,icmp_type=8,actions=CONTROLLER:128
priority=46,in_port=1,dl_dst=02:00:00:00:00:09,actions=output:5,clear_actions,write_actions(set_field:02:00:00:00:00:99->eth_dst,output:3)
send_flow_rem,priority=47,udp,tp_src=53,actions=output:3
reset_counts,priority=48,sctp,actions=output:3
"""

# (args, what) run against both switches in this order; "@10" runs the
# command with ovs-ofctl's default protocol (OpenFlow 1.0 + NXM).
SCRIPT13 = [
    ("show",),
    ("dump-flows",),
    ("add-flow", "priority=100,in_port=1,ip,nw_dst=10.0.0.1,actions=output:5"),
    ("add-flow", "table=0,cookie=0x5,idle_timeout=300,dl_src=02:00:00:00:00:01,actions=drop"),
    ("add-flow", "check_overlap,priority=100,in_port=1,ip,actions=output:3"),
    ("add-flows", "@FLOWS"),
    ("@10", "add-flow", "priority=200,in_port=3,actions=mod_vlan_vid:12,output:1"),
    ("@10", "add-flow", "priority=201,in_port=3,dl_vlan=4,actions=mod_vlan_vid:12,strip_vlan,output:1"),
    ("dump-flows",),
    ("@10", "dump-flows",),
    ("dump-flows", "ip"),
    ("dump-flows", "cookie=0x5/-1"),
    ("dump-flows", "out_port=1"),
    ("dump-flows", "out_port=3"),
    ("dump-aggregate",),
    ("dump-aggregate", "udp"),
    ("mod-flows", "in_port=1,ip,nw_dst=10.0.0.1,actions=NORMAL"),
    ("mod-flows", "--strict", "priority=300,dl_vlan=10,actions=drop"),
    ("mod-flows", "--strict", "priority=301,dl_vlan=10,actions=drop"),
    ("mod-flows", "cookie=0x10/-1,actions=output:3"),
    ("mod-flows", "reset_counts,in_port=5,actions=output:3"),
    ("dump-flows",),
    ("del-flows", "in_port=1"),
    ("del-flows", "--strict", "priority=50,tcp,tp_dst=80"),
    ("del-flows", "--strict", "priority=51,tcp,tp_dst=80"),
    ("del-flows", "cookie=0x10/-1"),
    ("del-flows", "out_port=5"),
    ("dump-flows",),
    ("dump-tables",),
    ("dump-ports",),
    ("dump-ports", "br0", "5"),
    ("dump-ports-desc",),
    ("del-flows",),
    ("dump-flows",),
]


def run_script13(rundir, flows_file):
    out = []
    for step in SCRIPT13:
        proto = () if step[0] == "@10" else O13
        cmd = step[1:] if step[0] == "@10" else step
        args = [a.replace("@FLOWS", str(flows_file)) for a in cmd]
        opts = [a for a in args[1:] if a.startswith("--")]
        rest = [a for a in args[1:] if not a.startswith("--")]
        if args[0] == "dump-ports" and rest and rest[0] == "br0":
            rest = rest[1:]
        p = ofctl(rundir, *proto, args[0], *opts, "br0", *rest, check=False)
        out.append((" ".join(step), p.returncode, blocks13(normalise(p.stdout)), p.stderr))
    return out


def blocks13(text):
    """As blocks(), with OpenFlow 1.3's three-line port statistics (rx, tx,
    duration) sorted as units: the order is a hash order upstream."""
    lines = text.splitlines()
    if lines and "OFPST_PORT reply (OF1.3)" in lines[0]:
        rest = lines[1:]
        return [lines[0]] + sorted("\n".join(rest[i:i + 3]) for i in range(0, len(rest), 3))
    return blocks(text)


def test_ofctl13_parity_with_debian(tmp_path):
    flows_file = tmp_path / "flows.txt"
    flows_file.write_text(FLOWS13)
    with OvsdbServer("ours", tmp_path / "ours") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            v(db, *SETUP)
            wait_for((tmp_path / "sw" / "br0.mgmt").exists, what="br0.mgmt")
            sw.appctl("netdev-dummy/set-admin-state", "br0", "up")
            ours = run_script13(sw.dir, flows_file)
            assert sw.proc.poll() is None
    theirs = on_debian(tmp_path, lambda d: run_script13(d, flows_file))
    diffs = []
    for (step, orc, o, oerr), (_, trc, t, terr) in zip(ours, theirs):
        if (orc, o, oerr) != (trc, t, terr):
            diffs.append(f"== {step}\nours ({orc}):\n" + "\n".join(o) + oerr +
                         f"\ntheirs ({trc}):\n" + "\n".join(t) + terr)
    assert not diffs, "\n".join(diffs)
    # The script did something: every step but the overlap succeeded, the
    # flows were listed in 1.3 and in 1.0, the overlap was refused.
    by_step = {step: (rc, o, err) for step, rc, o, err in ours}
    assert [s for s, rc, _, _ in ours if rc != 0] == [" ".join(SCRIPT13[4])]
    assert "OFPFMFC_OVERLAP" in by_step[" ".join(SCRIPT13[4])][2]
    dumps = [o for step, _, o, _ in ours if step == "dump-flows"]
    assert dumps[1][0].startswith("OFPST_FLOW reply (OF1.3)")
    assert len(dumps[1]) == 1 + 1 + 2 + 2 + FLOWS13.count("\n")
    assert any("write_actions(" in line for line in dumps[1])
    assert any("reset_counts" in line for line in dumps[1])
    assert dumps[-1] == [dumps[-1][0]] and len(dumps[-1]) == 1


def test_of13_forwarding(sw):
    db = sw.db
    v(db, *SETUP)
    ports = ("p1", "p2", "p3", "br0")

    def add(*flows):
        for f in flows:
            ofctl(sw.dir, *O13, "add-flow", "br0", f)
        sw.appctl("revalidator/wait")

    ofctl(sw.dir, *O13, "del-flows", "br0")
    # apply-actions: output; set_field of Ethernet addresses.
    add("in_port=1,actions=output:3",
        "in_port=3,actions=set_field:02:00:00:00:00:33->eth_src,set_field:02:00:00:00:00:44->eth_dst,output:1")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert counts(sw, *ports) == [0, 0, 1, 0]
    sw.appctl("netdev-dummy/receive", "p3", frame(mac(1), mac(3)))
    assert sent(sw, "p1") == [frame("02:00:00:00:00:44", "02:00:00:00:00:33")]

    # push_vlan + set_field vlan_vid/pcp tags; set_field on a tagged frame
    # rewrites; pop_vlan strips; set_field vlan_vid on an untagged frame is
    # refused at flow_mod time (its prerequisite is a tag).
    add("priority=10,in_port=5,actions=push_vlan:0x8100,set_field:4103->vlan_vid,set_field:3->vlan_pcp,output:1",
        "priority=20,in_port=5,dl_vlan=9,actions=set_field:4104->vlan_vid,output:1",
        "priority=30,in_port=5,dl_vlan=11,actions=pop_vlan,output:1")
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2)))
    assert sent(sw, "p1") == [frame(mac(1), mac(2), vid=7, pcp=3)]
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2), vid=9, pcp=2))
    assert sent(sw, "p1") == [frame(mac(1), mac(2), vid=8, pcp=2)]
    sw.appctl("netdev-dummy/receive", "p2", frame(mac(1), mac(2), vid=11))
    assert sent(sw, "p1") == [frame(mac(1), mac(2))]
    p = ofctl(sw.dir, *O13, "add-flow", "br0", "in_port=5,ip,actions=set_field:4104->vlan_vid,output:1",
              check=False)
    assert p.returncode != 0

    # write-actions: the action set runs at the end, after apply-actions;
    # clear_actions before it clears nothing that matters in one table.
    ofctl(sw.dir, *O13, "del-flows", "br0")
    add("in_port=1,actions=output:5,clear_actions,write_actions(set_field:02:00:00:00:00:99->eth_dst,output:3)")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert sent(sw, "p2") == [frame(mac(2), mac(1))]
    assert sent(sw, "p3") == [frame("02:00:00:00:00:99", mac(1))]
    # An action set without an output does nothing.
    ofctl(sw.dir, *O13, "mod-flows", "br0", "in_port=1,actions=write_actions(set_field:02:00:00:00:00:99->eth_dst)")
    sw.appctl("revalidator/wait")
    sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    assert counts(sw, *ports) == [0, 0, 0, 0]

    # Counters in 1.3 dumps; a 1.3 add of the same flow keeps them (the
    # first add replaces the write_actions flow: reset_counts starts at 0).
    ofctl(sw.dir, *O13, "add-flow", "br0", "reset_counts,in_port=1,actions=output:3")
    sw.appctl("revalidator/wait")
    for _ in range(2):
        sw.appctl("netdev-dummy/receive", "p1", frame(mac(2), mac(1)))
    sw.appctl("revalidator/wait")
    [line] = [l for l in ofctl(sw.dir, *O13, "dump-flows", "br0").stdout.splitlines()[1:] if "in_port=1" in l]
    assert "n_packets=2," in line, line
    ofctl(sw.dir, *O13, "add-flow", "br0", "in_port=1,actions=output:3")
    [line] = [l for l in ofctl(sw.dir, *O13, "dump-flows", "br0").stdout.splitlines()[1:] if "in_port=1" in l]
    assert "n_packets=2," in line, line
    ofctl(sw.dir, *O13, "add-flow", "br0", "reset_counts,in_port=1,actions=output:3")
    [line] = [l for l in ofctl(sw.dir, *O13, "dump-flows", "br0").stdout.splitlines()[1:] if "in_port=1" in l]
    assert "n_packets=0," in line, line

    # Unsupported instructions: an OpenFlow error, nothing added.
    before = normalise(ofctl(sw.dir, *O13, "dump-flows", "br0").stdout).splitlines()[1:]
    for f in ("in_port=2,actions=goto_table:1", "in_port=2,actions=write_metadata:0x1",
              "in_port=2,actions=meter:1,output:1"):
        p = ofctl(sw.dir, *O13, "add-flow", "br0", f, check=False)
        assert p.returncode != 0 and "OFPBIC_UNSUP_INST" in p.stderr, (f, p.stderr)
    assert normalise(ofctl(sw.dir, *O13, "dump-flows", "br0").stdout).splitlines()[1:] == before
    assert sw.proc.poll() is None


# Raw OpenFlow 1.3 flow_mods, malformed, answered like Debian's switch does.

def oxm_match(entries=b""):
    n = 4 + len(entries)
    return struct.pack("!HH", 1, n) + entries + b"\x00" * ((8 - n % 8) % 8)


def fm13(command=0, table=0, match=None, instructions=b"", flags=0, out_port=0xffffffff):
    match = oxm_match() if match is None else match
    return struct.pack("!QQBBHHHIIIHH", 0, 0, table, command, 0, 0, 0x8000, 0xffffffff, out_port, 0xffffffff,
                       flags, 0) + match + instructions


def apply_actions(actions):
    return struct.pack("!HH4x", 4, 8 + len(actions)) + actions


OUT1 = struct.pack("!HHIH6x", 0, 16, 1, 0)

BAD13 = [
    ("truncated flow_mod", b"\x00" * 20),
    ("bad command", fm13(command=9)),
    ("add to table 255", fm13(table=255)),
    ("table 254", fm13(table=254)),
    ("unknown flags", fm13(flags=0x40)),
    ("match type 0", fm13(match=struct.pack("!HH4x", 0, 8))),
    ("match type 2", fm13(match=struct.pack("!HH4x", 2, 8))),
    ("flow_mod tail not a multiple of 8", fm13() + b"\x00" * 4),
    ("match length past the end", fm13(match=struct.pack("!HH", 1, 200))),
    ("OXM entry cut short", fm13(match=oxm_match(struct.pack("!I", 0x80000606) + b"\x00\x01"))),
    ("unknown OXM field", fm13(match=oxm_match(struct.pack("!IH", 0x80007e02, 1)))),
    ("prerequisite missing", fm13(match=oxm_match(struct.pack("!II", 0x80001804, 0x0a000001)))),
    ("OXM field twice", fm13(match=oxm_match(struct.pack("!IHIH", 0x80000a02, 0x0800, 0x80000a02, 0x0800)))),
    ("instruction length not a multiple of 8", fm13(instructions=struct.pack("!HH", 4, 12) + b"\x00" * 8)),
    ("instruction longer than the message", fm13(instructions=struct.pack("!HH4x", 4, 64))),
    ("unknown instruction", fm13(instructions=struct.pack("!HH4x", 9, 8))),
    ("experimenter instruction", fm13(instructions=struct.pack("!HHI", 0xffff, 8, 0x2320))),
    ("clear_actions too long", fm13(instructions=struct.pack("!HH12x", 5, 16))),
    ("instruction twice", fm13(instructions=struct.pack("!HH4xHH4x", 5, 8, 5, 8))),
    ("unknown action", fm13(instructions=apply_actions(struct.pack("!HH4x", 99, 8)))),
    ("action length 12", fm13(instructions=apply_actions(struct.pack("!HHIH", 0, 12, 1, 0) + b"\x00" * 6))),
    ("output length 8", fm13(instructions=apply_actions(struct.pack("!HHI", 0, 8, 1)))),
    ("output to ANY", fm13(instructions=apply_actions(struct.pack("!HHIH6x", 0, 16, 0xffffffff, 0)))),
    ("action past the instruction", fm13(instructions=struct.pack("!HH4x", 4, 16) + struct.pack("!HH4x", 0, 16))),
    ("push_vlan of IPv4", fm13(instructions=apply_actions(struct.pack("!HHH2x", 17, 8, 0x0800)))),
    ("set_field of a read-only field",
     fm13(instructions=apply_actions(struct.pack("!HHIH6x", 25, 16, 0x80000a02, 0x0800)))),
    ("set_field with a mask",
     fm13(instructions=apply_actions(struct.pack("!HHIHH4x", 25, 16, 0x80000d04, 0x1007, 0x1fff)))),
    ("set_field vlan_vid without a tag",
     fm13(instructions=apply_actions(struct.pack("!HHIH6x", 25, 16, 0x80000c02, 0x1007)))),
    ("set_field vlan_vid without OFPVID_PRESENT",
     fm13(match=oxm_match(struct.pack("!IH", 0x80000c02, 0x1005)),
          instructions=apply_actions(struct.pack("!HHIH6x", 25, 16, 0x80000c02, 0x0007)))),
    ("set_field with nonzero padding",
     fm13(instructions=apply_actions(struct.pack("!HHIH5xB", 25, 16, 0x80000606, 0x0200, 1)))),
    ("set_field ip_src without ip",
     fm13(instructions=apply_actions(struct.pack("!HHII4x", 25, 16, 0x80001604, 0x0a000001)))),
    ("set_field tcp_dst on udp",
     fm13(match=oxm_match(struct.pack("!IHIB", 0x80000a02, 0x0800, 0x80001401, 17)),
          instructions=apply_actions(struct.pack("!HHIH6x", 25, 16, 0x80001c02, 80)))),
    ("set_field nw_tos with ECN bits",
     fm13(match=oxm_match(struct.pack("!IH", 0x80000a02, 0x0800)),
          instructions=apply_actions(struct.pack("!HHIB7x", 25, 16, 0x00000a01, 0xb9)))),
    ("unknown multipart", None),
    ("flow stats request cut short", None),
    ("OXM in a flow stats request cut short", None),
]


def raw13(body_of, path):
    """Each bad message on one 1.3 connection: the (type, code) back, and
    the connection still answering a barrier after all of them."""
    p = Peer(path)
    p.send(msg(4, 0, 1, struct.pack("!HHI", 1, 8, 1 << 4)))
    p.expect(0)
    answers = []
    for i, (what, body) in enumerate(BAD13):
        xid = 100 + i
        if what == "unknown multipart":
            m = msg(4, 18, xid, struct.pack("!HH4x", 77, 0))
        elif what == "flow stats request cut short":
            m = msg(4, 18, xid, struct.pack("!HH4x", 1, 0) + b"\xff\x00\x00\x00")
        elif what == "OXM in a flow stats request cut short":
            m = msg(4, 18, xid, struct.pack("!HH4xB3xII4xQQ", 1, 0, 255, 0xffffffff, 0xffffffff, 0, 0) +
                    struct.pack("!HH", 1, 12) + struct.pack("!I", 0x80000a02))
        else:
            m = msg(4, 14, xid, body)
        p.send(m)
        r = p.expect(1, xid)
        t, c = struct.unpack("!HH", r[8:12])
        if t == 0xffff:
            c = (c, struct.unpack("!I", r[12:16])[0])
        answers.append((what, t, c))
    p.send(msg(4, 20, 999))
    p.expect(21, 999)
    p.close()
    return answers


def test_malformed_of13_flow_mods_like_debian(tmp_path):
    with OvsdbServer("ours", tmp_path / "ours") as db:
        vsctl(db, "init")
        with Vswitchd(db, tmp_path / "sw") as sw:
            v(db, *SETUP)
            wait_for((sw.dir / "br0.mgmt").exists, what="br0.mgmt")
            ours = raw13(BAD13, sw.dir / "br0.mgmt")
            # Nothing was added by any of them; still serving ovs-ofctl.
            assert sw.proc.poll() is None
            flows = ofctl(sw.dir, *O13, "dump-flows", "br0").stdout.splitlines()[1:]
            assert len(flows) == 1 and "actions=NORMAL" in flows[0]
    theirs = on_debian(tmp_path, lambda d: raw13(BAD13, d / "br0.mgmt"))
    diffs = [f"{o[0]}: ours {o[1:]}, Debian's {t[1:]}" for o, t in zip(ours, theirs) if o != t]
    assert not diffs, "\n".join(diffs)
