"""Controller roles (OFPT_ROLE_REQUEST in 1.3, NXT_ROLE_REQUEST in 1.0) on
our vswitchd and on Debian's ovs-vswitchd (dummy datapaths), raw OpenFlow on
the management socket: the same script must get the same answers from both —
master with generation ids (a stale one refused, a newer master demoting the
old one to slave), "no change" asking the role, a slave's packet-out refused
with OFPBRC_IS_SLAVE, equal again, unknown roles refused.
"""
import struct

import pytest

from harness import DebianVswitchd, OvsdbServer, Vswitchd, vsctl, wait_for
from test_vswitchd_async import AsyncPeer


def role13(p, role, gen, xid):
    p.send(24, struct.pack("!I4xQ", role, gen), xid=xid)
    *status, m = p.barrier(xid=1000 + xid)
    if status:
        # ONF role status (experimenter 0x4f4e4600, 1911): role, reason, generation.
        [s] = status
        return ("status",) + struct.unpack("!IIIB3xQ", s[8:32]) + role13_reply(m)
    return role13_reply(m)


def role13_reply(m):
    if m[1] == 25:
        return ("reply",) + struct.unpack("!I4xQ", m[8:24])
    return ("error",) + struct.unpack("!HH", m[8:12])


def role_nx(p, role, xid):
    p.send(4, struct.pack("!III", 0x2320, 10, role), xid=xid)
    [m] = p.barrier(xid=1000 + xid)
    if m[1] == 4:
        return ("reply",) + struct.unpack("!II", m[12:20])
    return ("error",) + struct.unpack("!HH", m[8:12])


def errors(p, xid):
    return [("error",) + struct.unpack("!HH", m[8:12]) if m[1] == 1 else ("type", m[1]) for m in p.barrier(xid)]


def script(path):
    a, b = AsyncPeer(path, 4), AsyncPeer(path, 4)
    out = [
        role13(a, 2, 5, 1),          # master, generation 5
        role13(b, 2, 4, 2),          # master with an older generation: stale
        role13(b, 2, 6, 3),          # master, generation 6: a becomes slave
        role13(a, 0, 0, 4),          # no change: a is a slave now
    ]
    a.packet_out_to_controller()
    out.append(errors(a, 5))         # a slave may not send packet-outs
    out += [
        role13(a, 1, 0, 6),          # equal
        role13(a, 7, 0, 7),          # no such role
        role13(b, 3, 2, 8),          # slave with an old generation: stale
    ]
    c = AsyncPeer(path, 1)
    out += [role_nx(c, 2, 9), role_nx(c, 1, 10), role_nx(c, 0, 11)]
    role_nx(c, 2, 12)
    c.packet_out_to_controller()
    out.append(errors(c, 13))
    out.append(role_nx(c, 9, 14))
    return out


def run(tmp_path, impl):
    with OvsdbServer(impl, tmp_path / impl) as db:
        vsctl(db, "init")
        cls = Vswitchd if impl == "ours" else DebianVswitchd
        with cls(db, tmp_path / f"sw-{impl}") as sw:
            vsctl(db, "add-br", "br0", "--", "set-fail-mode", "br0", "secure", no_wait=False)
            path = sw.dir / "br0.mgmt"
            wait_for(path.exists, what="br0.mgmt")
            out = script(path)
            assert sw.proc.poll() is None
            return out


def test_roles_like_debian(tmp_path):
    ours = run(tmp_path, "ours")
    theirs = run(tmp_path, "debian")
    assert ours == theirs
    # What the script saw.
    assert ours[0] == ("reply", 2, 5)
    assert ours[1] == ("error", 11, 0)            # OFPRRFC_STALE
    assert ours[3] == ("status", 0x4f4e4600, 1911, 3, 0, 6, "reply", 3, 6)   # demoted to slave
    assert ours[4] == [("error", 1, 10)]          # OFPBRC_IS_SLAVE
    assert ours[5] == ("reply", 1, 6)
    assert ours[6] == ("error", 11, 2)            # OFPRRFC_BAD_ROLE
    assert ours[8] == ("reply", 11, 2)            # NXT_ROLE_REPLY, slave
