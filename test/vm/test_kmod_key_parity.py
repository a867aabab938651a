"""Which flow keys the two kernel datapaths accept: ours against Linux's.

Debian's ovs-dpctl installs the same flows, one at a time, on a datapath of
Linux's openvswitch.ko and then on one of our openvswitch_mod.ko, in one VM
boot; each flow must be accepted by both or refused by both, with the same
errno.  The list is chosen around the rules of key validation: a key whose
ethertype or IP protocol names a layer 3 or 4 header must carry that
header's attribute (unless it is a later fragment, which has no layer 4),
and must not carry one its lower layers do not call for.
"""
import re
import shlex

import pytest

from vm import VM, kernel_problems

E = "in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)"
V4 = "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto={p},tos=0,ttl=64,frag={f})"
V6 = "eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto={p},tclass=0,hlimit=64,frag={f})"

FLOWS = {
    "udp": f"{E},{V4.format(p=17, f='no')},udp(src=1,dst=2)",
    "udp, no udp()": f"{E},{V4.format(p=17, f='no')}",
    "udp first fragment, no udp()": f"{E},{V4.format(p=17, f='first')}",
    "udp later fragment, no udp()": f"{E},{V4.format(p=17, f='later')}",
    "tcp with tcp_flags": f"{E},{V4.format(p=6, f='no')},tcp(src=1,dst=2),tcp_flags(0)",
    "tcp, no tcp_flags()": f"{E},{V4.format(p=6, f='no')},tcp(src=1,dst=2)",
    "tcp, no tcp()": f"{E},{V4.format(p=6, f='no')}",
    "sctp": f"{E},{V4.format(p=132, f='no')},sctp(src=1,dst=2)",
    "sctp, no sctp()": f"{E},{V4.format(p=132, f='no')}",
    "icmp": f"{E},{V4.format(p=1, f='no')},icmp(type=8,code=0)",
    "icmp, no icmp()": f"{E},{V4.format(p=1, f='no')}",
    "ipv4 proto 47 (no layer 4 attribute exists)": f"{E},{V4.format(p=47, f='no')}",
    "ipv4 with udp() for tcp": f"{E},{V4.format(p=6, f='no')},udp(src=1,dst=2)",
    "ipv4 with icmpv6()": f"{E},{V4.format(p=58, f='no')},icmpv6(type=128,code=0)",
    "ethertype ipv4, no ipv4()": f"{E},eth_type(0x0800)",
    "ethertype ipv6, no ipv6()": f"{E},eth_type(0x86dd)",
    "ethertype arp, no arp()": f"{E},eth_type(0x0806)",
    "arp": f"{E},eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=02:00:00:00:00:01,"
           "tha=00:00:00:00:00:00)",
    "ethertype 0x88b5 with ipv4()": f"{E},eth_type(0x88b5),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,"
                                    "tos=0,ttl=64,frag=no)",
    "ipv6 udp": f"{E},{V6.format(p=17, f='no')},udp(src=1,dst=2)",
    "ipv6 udp, no udp()": f"{E},{V6.format(p=17, f='no')}",
    "ipv6 tcp, no tcp()": f"{E},{V6.format(p=6, f='no')}",
    "icmpv6 echo": f"{E},{V6.format(p=58, f='no')},icmpv6(type=128,code=0)",
    "icmpv6, no icmpv6()": f"{E},{V6.format(p=58, f='no')}",
    "neighbour solicitation with nd()": f"{E},{V6.format(p=58, f='no')},icmpv6(type=135,code=0),"
                                        "nd(target=fe80::1,sll=02:00:00:00:00:07,tll=00:00:00:00:00:00)",
    "neighbour solicitation, no nd()": f"{E},{V6.format(p=58, f='no')},icmpv6(type=135,code=0)",
    "neighbour advertisement, no nd()": f"{E},{V6.format(p=58, f='no')},icmpv6(type=136,code=0)",
    "echo with nd()": f"{E},{V6.format(p=58, f='no')},icmpv6(type=128,code=0),"
                      "nd(target=fe80::1,sll=00:00:00:00:00:00,tll=00:00:00:00:00:00)",
    "vlan, inner udp": f"{E},eth_type(0x8100),vlan(vid=10,pcp=0),encap({V4.format(p=17, f='no')},"
                       "udp(src=1,dst=2))",
    "vlan, inner udp without udp()": f"{E},eth_type(0x8100),vlan(vid=10,pcp=0),"
                                     f"encap({V4.format(p=17, f='no')})",
    "vlan, inner ipv4 without ipv4()": f"{E},eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800))",
}


@pytest.fixture(scope="module")
def vm(kmod):
    with VM(modules=["openvswitch"], extra_files=[str(kmod)]) as m:
        m.ko = str(kmod)
        yield m


def verdicts(vm, load, unload):
    """{case: "accepted" or the error ovs-dpctl printed} on one module."""
    lines = [load, "ovs-dpctl add-dp kp || exit 1"]
    for i, flow in enumerate(FLOWS.values()):
        lines.append(f"echo '@@{i}'; ovs-dpctl add-flow kp {shlex.quote(flow)} 2 2>&1; echo \"@@rc=$?\"")
        lines.append("ovs-dpctl del-flows kp >/dev/null 2>&1")
    lines += ["ovs-dpctl del-dp kp", unload]
    rc, out = vm.run("\n".join(lines), timeout=300)
    assert rc == 0, out
    got = {}
    for i, name in enumerate(FLOWS):
        m = re.search(rf"@@{i}\n(.*?)@@rc=(\d+)", out, re.S)
        assert m, f"no result for {name!r}:\n{out}"
        text, code = m.group(1), int(m.group(2))
        if code == 0:
            got[name] = "accepted"
        else:
            err = re.search(r"\((\w[\w ]*)\)\s*$", text.strip())
            got[name] = err.group(1) if err else text.strip()
    return got


def test_both_datapaths_accept_and_refuse_the_same_keys(vm):
    linux = verdicts(vm, "true", "rmmod openvswitch")
    ours = verdicts(vm, f"insmod {vm.ko}", "rmmod openvswitch_mod")
    # The comparison means something only if Linux refuses some and accepts others.
    assert linux["udp"] == "accepted" and linux["udp, no udp()"] != "accepted", linux
    diff = {k: (linux[k], ours[k]) for k in FLOWS if linux[k] != ours[k]}
    assert diff == {}, "\n".join(f"{k}: openvswitch.ko {a!r}, ours {b!r}" for k, (a, b) in diff.items())
    _, log = vm.run("dmesg")
    assert kernel_problems(log) == []
