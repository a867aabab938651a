"""Fuzzing our vswitchd's OpenFlow management socket: valid OpenFlow 1.0,
Nicira and 1.3 messages (flow_mods with matches, actions and instructions,
statistics/multipart requests, vendor messages, configuration) mutated at
random -- bytes flipped or rewritten, 16-bit fields set to length-like
values, cut short, grown -- with the header's length kept true, sent on a
1.0 and a 1.3 connection, each followed by a barrier.

Asserted: the daemon never dies; every mutated message is dealt with before
its barrier is answered (errors carry the message's xid and a known error
type); another connection opened before the fuzzing still answers echoes
throughout, and ovs-ofctl still works after it.  Then frames whose header
lies about their length close only their own connection.  Deterministic
(fixed seed), bounded in count and time.
"""
import random
import struct
import time

from harness import DebianVswitchd, OvsdbServer, Vswitchd, vsctl, wait_for
from test_vswitchd_openflow import SETUP, Peer, hdr, msg, ofctl, v

ERROR_TYPES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xb0c2, 0xffff}
O13 = ("-O", "OpenFlow13")


def oxm(entries):
    n = 4 + len(entries)
    return struct.pack("!HH", 1, n) + entries + b"\x00" * ((8 - n % 8) % 8)


def seeds10():
    wild = struct.pack("!IH6s6sHBxHBB2xIIHH", 0x3820f0, 1, b"\x02" * 6, b"\x04" * 6, 0xffff, 0, 0x0800, 0, 6,
                       0, 0x0a000001, 0, 80)
    actions = (struct.pack("!HHHH", 1, 8, 7, 0) + struct.pack("!HH6s6x", 4, 16, b"\x02\x00\x00\x00\x00\x33") +
               struct.pack("!HHI", 6, 8, 0x0a010101) + struct.pack("!HHHH", 0, 8, 2, 0))
    fm = wild + struct.pack("!QHHHHIHH", 5, 0, 0, 0, 10, 0xffffffff, 0xffff, 0) + actions
    nxm = struct.pack("!IH", 0x00000a02, 0x0800) + struct.pack("!IB", 0x00000c01, 17) + struct.pack("!IH", 0x00001002, 53)
    nx = (struct.pack("!IIQHHHHIHHH6x", 0x2320, 13, 0, 0, 0, 0, 10, 0xffffffff, 0xffff, 0, len(nxm)) + nxm +
          b"\x00" * ((8 - len(nxm) % 8) % 8) + struct.pack("!HHHH", 3, 8, 0, 0) + struct.pack("!HHHH", 0, 8, 0xfffb, 0))
    nx_stats = struct.pack("!HHIII", 0xffff, 0, 0x2320, 0, 0) + struct.pack("!HHB3x", 0xffff, len(nxm), 0xff) + nxm + \
        b"\x00" * ((8 - len(nxm) % 8) % 8)
    return [
        (14, fm), (4, nx), (16, nx_stats),
        (16, struct.pack("!HH", 1, 0) + wild + struct.pack("!BxH", 0xff, 0xffff)),   # flow stats
        (16, struct.pack("!HH", 4, 0) + struct.pack("!H6x", 0xffff)),                 # port stats
        (4, struct.pack("!III", 0x2320, 12, 2)),                                      # set flow format
        (4, struct.pack("!IIB7x", 0x2320, 15, 1)),                                    # flow_mod_table_id
        (9, struct.pack("!HH", 0, 128)), (5, b""), (2, b"ping"),
    ]


def seeds13():
    match = oxm(struct.pack("!IH", 0x80000a02, 0x0800) + struct.pack("!IB", 0x80001401, 6) +
                struct.pack("!II", 0x80001604, 0x0a000001) + struct.pack("!IH", 0x80001c02, 80))
    acts = (struct.pack("!HHH2x", 17, 8, 0x8100) + struct.pack("!HHIH6x", 25, 16, 0x80000c02, 0x1007) +
            struct.pack("!HHII4x", 25, 16, 0x80001604, 0x0a050505) + struct.pack("!HHIH6x", 0, 16, 1, 0))
    inst = (struct.pack("!HH4x", 4, 8 + len(acts)) + acts + struct.pack("!HH4x", 5, 8) +
            struct.pack("!HH4x", 3, 24) + struct.pack("!HHIH6x", 0, 16, 2, 0))
    fm = struct.pack("!QQBBHHHIIIHH", 1, 0, 0, 0, 0, 0, 10, 0xffffffff, 0xffffffff, 0xffffffff, 4, 0) + match + inst
    stats = struct.pack("!HH4xB3xII4xQQ", 1, 0, 0xff, 0xffffffff, 0xffffffff, 0, 0) + match
    return [
        (14, fm), (18, stats), (18, struct.pack("!HH4x", 2, 0) + stats[8:]),
        (18, struct.pack("!HH4xI4x", 4, 0, 0xffffffff)), (18, struct.pack("!HH4x", 13, 0)),
        (18, struct.pack("!HH4x", 12, 0)), (9, struct.pack("!HH", 0, 128)), (5, b""), (2, b"ping"),
    ]


def mutate(rng, version, type_, body):
    m = bytearray(msg(version, type_, 0, body))
    for _ in range(rng.randint(1, 3)):
        if not m:
            break
        k = rng.randrange(6)
        if k == 0:
            i = rng.randrange(len(m))
            m[i] ^= 1 << rng.randrange(8)
        elif k == 1:
            m[rng.randrange(len(m))] = rng.randrange(256)
        elif k == 2:
            del m[rng.randrange(8, len(m) + 1):]
        elif k == 3:
            i = rng.randrange(8, len(m) + 1)
            m[i:i] = bytes([rng.randrange(256)]) * rng.randrange(1, 17)
        elif k == 4 and len(m) > 10:
            i = rng.randrange(8, len(m) - 1) & ~1
            m[i:i + 2] = struct.pack("!H", rng.choice([0, 4, 7, 8, 12, 16, 0xff, 0xffff]))
        elif len(m) > 12:
            i, j = rng.randrange(len(m)) & ~3, rng.randrange(8, len(m)) & ~3
            m[j:j + 4] = m[i:i + 4]
    if len(m) < 8:
        m += b"\x00" * (8 - len(m))
    m[0] = m[0] if rng.random() < 0.03 else version       # mostly keep the version
    m[2:4] = struct.pack("!H", len(m))
    return bytes(m)


def fuzz_connection(peer, version, seeds, rng, n, keeper, deadline):
    barrier_req, barrier_rep = (18, 19) if version == 1 else (20, 21)
    errors = answered = 0
    for i in range(n):
        if time.monotonic() > deadline:
            break
        type_, body = rng.choice(seeds)
        m = bytearray(mutate(rng, version, type_, body))
        xid = 1000 + i
        m[4:8] = struct.pack("!I", xid)
        peer.send(bytes(m) + msg(version, barrier_req, 900000 + i))
        while True:
            r = peer.recv()
            assert r is not None, f"connection closed after {m.hex()}"
            ver, t, _, x = struct.unpack("!BBHI", r[:8])
            if t == barrier_rep and x == 900000 + i:
                break
            assert x == xid, (m.hex(), r.hex())
            answered += 1
            if t == 1:
                assert struct.unpack("!H", r[8:10])[0] in ERROR_TYPES, r.hex()
                errors += 1
        if i % 100 == 0:
            keeper.send(msg(4, 2, 7000 + i, b"alive?"))
            assert keeper.expect(3, 7000 + i)[8:] == b"alive?"
    return errors, answered


def test_management_socket_survives_fuzzing(sw):
    v(sw.db, *SETUP)
    path = sw.dir / "br0.mgmt"
    wait_for(path.exists, what="br0.mgmt")
    keeper = Peer(path)
    keeper.hello(4, bitmap=1 << 4)
    rng = random.Random(20261202)
    deadline = time.monotonic() + 120
    p10 = Peer(path)
    p10.hello(1)
    e10, a10 = fuzz_connection(p10, 1, seeds10(), rng, 3000, keeper, deadline)
    p13 = Peer(path)
    p13.hello(4, bitmap=1 << 4)
    e13, a13 = fuzz_connection(p13, 4, seeds13(), rng, 3000, keeper, deadline)
    print("fuzz: 1.0 errors/answers", e10, a10, "1.3", e13, a13)
    # The mutations reached the decoders: most were refused, some passed.
    assert e10 > 500 and e13 > 500, (e10, e13)
    # ... and others were answered with replies, not errors (statistics,
    # echo, features).
    assert a10 > e10 and a13 > e13, (a10, e10, a13, e13)
    p10.close()
    p13.close()
    assert sw.proc.poll() is None

    # Lying headers: the liar's connection is closed, nobody else's.
    for bad in (hdr(1, 2, 4, 1), hdr(4, 14, 7, 2), hdr(4, 18, 0, 3)):
        p = Peer(path)
        p.hello(4, bitmap=1 << 4)
        p.send(bad)
        assert p.error(struct.unpack("!I", bad[4:8])[0]) == (1, 6)
        assert p.closed()
        p.close()
    keeper.send(msg(4, 2, 1, b"still"))
    assert keeper.expect(3, 1)[8:] == b"still"
    keeper.close()
    assert sw.proc.poll() is None
    # ovs-ofctl in both versions still works, and the table can be emptied.
    ofctl(sw.dir, "del-flows", "br0")
    assert ofctl(sw.dir, "dump-flows", "br0").stdout.splitlines()[1:] == []
    assert ofctl(sw.dir, *O13, "dump-flows", "br0").stdout.splitlines()[1:] == []
    assert "LOCAL(br0)" in ofctl(sw.dir, *O13, "show", "br0").stdout


def errors_for(path, version, seeds, n, seed):
    """The OpenFlow errors ((type, code), Nicira codes unwrapped) each of `n`
    mutated messages gets, in order."""
    rng = random.Random(seed)
    p = Peer(path)
    p.send(msg(version, 0, 1, struct.pack("!HHI", 1, 8, 1 << version)))
    p.expect(0)
    barrier_req, barrier_rep = (18, 19) if version == 1 else (20, 21)
    out = []
    for i in range(n):
        type_, body = rng.choice(seeds)
        m = bytearray(mutate(rng, version, type_, body))
        m[4:8] = struct.pack("!I", 1000 + i)
        p.send(bytes(m) + msg(version, barrier_req, 900000 + i))
        errs = []
        while True:
            r = p.recv()
            assert r is not None
            t, x = r[1], struct.unpack("!I", r[4:8])[0]
            if t == barrier_rep and x == 900000 + i:
                break
            if t == 1:
                et, ec = struct.unpack("!HH", r[8:12])
                if et == 0xb0c2:
                    et, ec = struct.unpack("!HH", r[16:20])
                errs.append((et, ec))
        out.append((bytes(m).hex(), errs))
    p.close()
    return out


def test_fuzzed_errors_match_debian(tmp_path):
    """3000 of the mutated messages sent to our switch and to Debian's
    ovs-vswitchd: the same OpenFlow error (or none) for at least 94% of them
    (95.2% when written).
    What still differs: set_config flag checks, port statistics for port
    numbers in the invalid range, group/meter multiparts (no groups or meters
    here), Nicira actions this switch lacks, which of two problems in one
    flow_mod is reported first, and reply types sent as requests."""
    runs = {}
    for impl, cls in (("ours", Vswitchd), ("debian", DebianVswitchd)):
        with OvsdbServer(impl, tmp_path / impl) as db:
            vsctl(db, "init")
            with cls(db, tmp_path / (impl + "-sw")) as sw:
                dummy = [] if impl == "ours" else [
                    "--", "set", "Interface", "p1", "type=dummy", "--", "set", "Interface", "p2", "type=dummy",
                    "--", "set", "Interface", "p3", "type=dummy"]
                v(db, *SETUP, *dummy)
                wait_for((sw.dir / "br0.mgmt").exists, what="br0.mgmt")
                path = sw.dir / "br0.mgmt"
                runs[impl] = errors_for(path, 1, seeds10(), 1500, 1) + errors_for(path, 4, seeds13(), 1500, 2)
                assert sw.proc.poll() is None
    differ = [(m, o, t) for (m, o), (_, t) in zip(runs["ours"], runs["debian"]) if o != t]
    print(f"fuzzed errors: {len(differ)} of {len(runs['ours'])} differ from Debian's")
    errors = sum(1 for _, o in runs["debian"] if o)
    assert errors > 1000          # the sample is mostly bad messages
    assert len(differ) <= 0.06 * len(runs["ours"]), "\n".join(f"{m[:120]}: ours {o}, Debian's {t}"
                                                             for m, o, t in differ[:40])
