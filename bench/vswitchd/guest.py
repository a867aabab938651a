#!/usr/bin/python3
"""The guest side of bench/vswitchd/run: runs inside the VM test bed, as root.

    guest.py addport BRIDGE N     time `ovs-vsctl add-port` (without --no-wait)
                                  of vb1..vbN until a ping from namespace nsbI
                                  through the new port is answered
    guest.py burst IN OUT N       N frames, each with its own source MAC, IP
                                  addresses and UDP ports (so each one misses),
                                  sent as fast as possible into IN; counts the
                                  frames that come out of OUT

Prints one JSON object on stdout.  The namespaces, veth pairs and addresses
are set up by the run script (see setup_addport() there).
"""
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def icmp_socket_in(ns):
    """A raw ICMP socket in namespace NS (the calling thread returns to its own)."""
    me = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        setns("/run/netns/" + ns)
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    finally:
        if libc.setns(me, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(me)
    return s


def addport(bridge, n, target="10.0.0.254", vsctl="ovs-vsctl", timeout=30.0):
    results = []
    for i in range(1, n + 1):
        s = icmp_socket_in("nsb%d" % i)
        s.setblocking(False)
        ident = (os.getpid() + i) & 0xffff
        t0 = time.monotonic()
        p = subprocess.Popen([vsctl, "--timeout=30", "add-port", bridge, "vb%d" % i])
        returned = passed = None
        seq = 0
        while passed is None and time.monotonic() - t0 < timeout:
            if returned is None and p.poll() is not None:
                returned = time.monotonic() - t0
                if p.returncode != 0:
                    raise SystemExit("add-port vb%d failed" % i)
            seq += 1
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            payload = b"bench" * 8
            pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq) + payload
            s.sendto(pkt, (target, 0))
            end = time.monotonic() + 0.005
            while time.monotonic() < end:
                try:
                    data = s.recv(2048)
                except BlockingIOError:
                    time.sleep(0.0005)
                    continue
                ihl = (data[0] & 15) * 4
                typ, _, _, rid = struct.unpack("!BBHH", data[ihl:ihl + 6])
                if typ == 0 and rid == ident:
                    passed = time.monotonic() - t0
                    break
        p.wait(30)
        if returned is None:
            returned = time.monotonic() - t0
        s.close()
        if passed is None:
            raise SystemExit("vb%d passed no traffic in %.0f s" % (i, timeout))
        results.append({"vsctl_s": returned, "ping_s": passed, "pings": seq})
    return {"ports": results}


def rx_packets(dev):
    with open("/sys/class/net/%s/statistics/rx_packets" % dev) as f:
        return int(f.read())


def frames(n):
    out = []
    dst = bytes.fromhex("02ffffffff01")          # never a source: always unknown, flooded
    for i in range(n):
        src = bytes([0x02, 0x10]) + struct.pack("!I", i)
        sip = struct.pack("!I", 0x0a800000 + i)  # 10.128.x.y
        dip = struct.pack("!I", 0x0ac00000 + i)  # 10.192.x.y
        udp = struct.pack("!HHHH", 1024 + i % 60000, 2048 + i % 60000, 8 + 18, 0) + b"x" * 18
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0, sip, dip)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        out.append(dst + src + b"\x08\x00" + ip + udp)
    return out


def burst(in_dev, out_dev, n, settle=3.0):
    pkts = frames(n)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((in_dev, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    base = rx_packets(out_dev)
    t0 = time.monotonic()
    for p in pkts:
        while True:
            try:
                s.send(p)
                break
            except BlockingIOError:
                time.sleep(0.0001)
    sent = time.monotonic() - t0
    last, last_t = base, time.monotonic()
    while time.monotonic() - last_t < settle:
        c = rx_packets(out_dev)
        if c != last:
            last, last_t = c, time.monotonic()
            if c - base >= n:
                break
        time.sleep(0.002)
    return {"sent": n, "send_s": sent, "delivered": last - base, "last_s": last_t - t0}


def main():
    cmd = sys.argv[1]
    if cmd == "addport":
        r = addport(sys.argv[2], int(sys.argv[3]))
    elif cmd == "burst":
        r = burst(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
