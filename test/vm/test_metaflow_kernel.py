"""lib/meta-flow's datapath keys and masks against Debian's openvswitch.ko and
ovs-dpctl, in the qemu test bed (one boot).

For each flow written in ovs-dpctl's text form, mf-tool dp-flow gives the
netlink key and mask lib/meta-flow makes of it (match_to_key_mask) and our
own text of them (format_datapath_flow).  Inside the VM, vswitch-dpctl
installs exactly those bytes (hex:KEY/MASK), so the kernel's validation
judges our keys and masks; then Debian's ovs-dpctl dump-flows prints what
the kernel stored, with Open vSwitch's formatter, and mf-tool dump-dp
prints the same kernel bytes (read back through lib/dpif) with ours.  Every
flow must be accepted, Debian's text of the kernel's flows must be ours, and
what the kernel stores must read back as the match we sent (the kernel
normalises some masks -- the ARP opcode is 8 bits inside it -- and adds the
IPv6 extension-header attribute, which our reader skips).
"""
import os
import shlex
import subprocess
from pathlib import Path

import pytest

VM = pytest.importorskip("vm", reason="test/vm/vm.py (the VM test bed) is not in the tree").VM

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VSWITCH_BUILD_DIR", REPO / "build"))
DPCTL = BUILD / "lib" / "dpif" / "vswitch-dpctl"
MFTOOL = BUILD / "lib" / "meta-flow" / "mf-tool"

E = "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)"
FLOWS = [
    f"in_port(1),{E},eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,frag=no),udp(dst=53)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,proto=6,tos=0x10,ttl=64,frag=no),"
    "tcp(src=1234,dst=80),tcp_flags(syn)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0,proto=6,frag=no),tcp(dst=80),"
    "tcp_flags(+syn-ack)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(proto=6,frag=later)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(proto=17,frag=first),udp(src=68,dst=67)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(src=192.168.1.1,proto=1,frag=no),icmp(type=8,code=0)",
    f"in_port(1),{E},eth_type(0x0800),ipv4(proto=132,frag=no),sctp(dst=9)",
    f"in_port(1),{E},eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,proto=6,"
    "tclass=0,hlimit=64,frag=no),tcp(dst=443)",
    f"in_port(1),{E},eth_type(0x86dd),ipv6(label=0x12345,proto=17,frag=no),udp(dst=546)",
    f"in_port(1),{E},eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),"
    "nd(target=fe80::1,sll=02:00:00:00:00:07)",
    f"in_port(1),{E},eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=136,code=0),"
    "nd(target=fe80::2,tll=02:00:00:00:00:08)",
    f"in_port(1),{E},eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=128,code=0)",
    f"in_port(1),{E},eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=02:00:00:00:00:01,"
    "tha=00:00:00:00:00:00)",
    f"in_port(1),{E},eth_type(0x0806),arp(tip=10.0.0.0/255.255.255.0,op=2)",
    f"in_port(1),{E},eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),"
    "ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53))",
    f"in_port(1),{E},eth_type(0x8100),vlan(vid=20),encap(eth_type(0x0806),arp(op=1))",
    f"in_port(1),{E},eth_type(0x88a8),vlan(vid=100),encap(eth_type(0x8100),vlan(vid=200),"
    "encap(eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=22)))",
    f"in_port(1),{E},eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)",
    f"in_port(2),eth(dst=01:00:00:00:00:00/01:00:00:00:00:00),eth_type(0x88cc)",
    "in_port(2),eth(),eth_type(0x0800),ipv4(frag=no)",
    f"in_port(3),{E}",
    f"skb_priority(0x7),skb_mark(0x5/0xff),recirc_id(0),in_port(1),{E},eth_type(0x0800),"
    "ipv4(frag=no)",
    f"recirc_id(0x3),dp_hash(0x1/0xf),in_port(1),{E},eth_type(0x0800),ipv4(frag=no)",
    f"in_port(1),eth(src=02:00:00:00:00:00/ff:ff:ff:ff:ff:00,dst=02:00:00:00:00:02),"
    "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),"
    "tcp(src=1,dst=2)",
]

GUEST_FILES = ["/usr/bin/ovs-dpctl", "/usr/sbin/ip"]


@pytest.fixture(scope="module")
def ours():
    for p in (DPCTL, MFTOOL):
        if not p.exists():
            pytest.fail(f"{p} is not built (VSWITCH_BUILD_DIR={BUILD})")
    r = subprocess.run([str(MFTOOL), "dp-flow"], input="\n".join(FLOWS) + "\n", capture_output=True,
                       text=True, check=True, timeout=60)
    lines = r.stdout.splitlines()
    assert len(lines) == len(FLOWS) and not any(l.startswith("error") for l in lines), r.stdout
    return [tuple(l.split("\t")) for l in lines]


@pytest.fixture(scope="module")
def kernel_dump(ours):
    files = [str(DPCTL), str(MFTOOL)] + GUEST_FILES
    try:
        machine = VM(extra_files=files, modules=["openvswitch"])
    except TypeError:
        machine = VM(extra_files={f: f for f in files}, modules=["openvswitch"])
    script = [f"D={shlex.quote(str(DPCTL))}", "$D add-dp mfdp", "ip link add mfa type dummy",
              "ip link add mfb type dummy", "$D add-if mfdp mfa mfb"]
    for i, (hexkm, _) in enumerate(ours):
        script.append(f"echo ---add{i}; $D add-flow mfdp {hexkm} 2 2>&1; echo rc=$?")
    script += ["echo ---dump", "ovs-dpctl dump-flows mfdp", f"echo ---ours",
               f"{shlex.quote(str(MFTOOL))} dump-dp mfdp", "echo ---end", "$D del-dp mfdp"]
    with machine as vm:
        result = vm.run("\n".join(script) + "\n", timeout=300)
    rc, out = (result if isinstance(result, tuple) else (result.returncode, result.stdout))
    assert rc == 0, out
    return out


def test_the_kernel_accepts_every_key_and_mask_we_make(ours, kernel_dump):
    bad = []
    for i, flow in enumerate(FLOWS):
        part = kernel_dump.split(f"---add{i}\n")[1].split("---")[0]
        if "rc=0" not in part:
            bad.append(f"{flow}\n    {part.strip()}")
    assert not bad, "the kernel refused:\n" + "\n".join(bad)


def kernel_flows(kernel_dump):
    """(Debian's texts, our (hex, text) pairs) of the flows the kernel holds."""
    dump = kernel_dump.split("---dump\n")[1].split("---ours\n")[0]
    theirs = sorted(l.split(", packets:")[0] for l in dump.splitlines() if ", packets:" in l)
    ours = [tuple(l.split("\t")) for l in
            kernel_dump.split("---ours\n")[1].split("---end")[0].splitlines() if "\t" in l]
    return theirs, ours


def test_debian_ovs_dpctl_prints_the_kernels_flows_as_we_do(kernel_dump):
    theirs, ours = kernel_flows(kernel_dump)
    assert len(theirs) == len(FLOWS)
    mine = sorted(text for _, text in ours)
    missing = [m for m in mine if m not in theirs]
    extra = [t for t in theirs if t not in mine]
    assert not missing and not extra, (
        "ours only:\n  " + "\n  ".join(missing) + "\novs-dpctl only:\n  " + "\n  ".join(extra))


def test_the_kernels_flows_read_back_as_the_matches_we_sent(ours, kernel_dump):
    """Our text of what the kernel holds, parsed again, gives the key and
    mask we installed (after the kernel's own normalisation)."""
    _, held = kernel_flows(kernel_dump)
    r = subprocess.run([str(MFTOOL), "dp-flow"], input="\n".join(t for _, t in held) + "\n",
                       capture_output=True, text=True, check=True, timeout=60)
    again = sorted(l.split("\t")[0] for l in r.stdout.splitlines())
    sent = sorted(h for h, _ in ours)
    assert again == sent
