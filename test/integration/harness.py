"""Shared helpers for the integration tests (and the VM tests that need a database).

Every test here runs real programs: our binaries from the build directory
(VSWITCH_BUILD_DIR, default ./build) and Debian's Open vSwitch 3.1 tools.  The
helpers start servers on unix sockets in a per-test temporary directory (and
TCP only on 127.0.0.1 with a free port), and stop them by PID.

Fixtures and helpers:
  ovsdb            our ovsdb-server on a fresh Open_vSwitch database
  debian_ovsdb     Debian's ovsdb-server on a fresh Open_vSwitch database
  any_ovsdb        parametrized: runs the test once against each
  OvsdbServer      the class behind them, for tests that need other options
  vsctl(server, *args, impl="debian"|"ours", check=True)
  ovsdb_client(*args, ...), appctl(target, *args)
  build_path("ovsdb-server/ovsdb-server"), free_port(), wait_for(pred)
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VSWITCH_BUILD_DIR", REPO / "build"))
SCHEMA = REPO / "schemas" / "vswitch.ovsschema"
DEBIAN_SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")

DEBIAN = {
    "ovsdb-server": "/usr/sbin/ovsdb-server",
    "ovsdb-tool": "/usr/bin/ovsdb-tool",
    "ovsdb-client": "/usr/bin/ovsdb-client",
    "ovs-vsctl": "/usr/bin/ovs-vsctl",
    "ovs-appctl": "/usr/bin/ovs-appctl",
    "ovs-vswitchd": "/usr/sbin/ovs-vswitchd",
}
OURS = {
    "ovsdb-server": "ovsdb-server/ovsdb-server",
    "ovsdb-tool": "utilities/ovsdb-tool",
    "ovsdb-client": "utilities/ovsdb-client",
    "ovs-vsctl": "utilities/ovs-vsctl",
}


def build_path(rel):
    """Path of one of our built programs; fails the test clearly if absent."""
    p = BUILD / rel
    if not p.exists():
        pytest.fail(f"{p} is not built (VSWITCH_BUILD_DIR={BUILD})")
    return str(p)


def program(name, impl):
    if impl == "debian":
        return DEBIAN[name]
    return build_path(OURS[name])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_listening(port, host="127.0.0.1"):
    """True if something accepts TCP connections on host:port."""
    try:
        socket.create_connection((host, port), 0.5).close()
        return True
    except OSError:
        return False


def wait_for(pred, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def run(cmd, check=True, timeout=30, env=None, input=None):
    """Run a command; returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    # Keep Debian's tools away from any system-wide run directory.
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=full_env, input=input)
    if check and p.returncode != 0:
        raise AssertionError(
            f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n"
            f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


class OvsdbServer:
    """One ovsdb-server process (ours or Debian's) on a scratch database.

    The database file is created with the same implementation's ovsdb-tool
    (so our server gets our SQLite file and Debian's gets its log file).
    """

    def __init__(self, impl, workdir, schema=None, tcp=True, extra_args=(),
                 name="db"):
        self.impl = impl
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.schema = Path(schema) if schema else (
            SCHEMA if impl == "ours" else DEBIAN_SCHEMA)
        self.db = self.dir / f"{name}.db"
        self.sock = self.dir / f"{name}.sock"
        self.ctl = self.dir / f"{name}.ctl"
        self.pidfile = self.dir / f"{name}.pid"
        self.logfile = self.dir / f"{name}.log"
        self.tcp_port = free_port() if tcp else None
        self.extra_args = list(extra_args)
        self.proc = None

    # -- lifecycle ---------------------------------------------------------
    def create(self):
        run([program("ovsdb-tool", self.impl), "create", str(self.db),
             str(self.schema)])
        return self

    @property
    def unix(self):
        return f"unix:{self.sock}"

    @property
    def tcp(self):
        return f"tcp:127.0.0.1:{self.tcp_port}"

    def command(self):
        cmd = [program("ovsdb-server", self.impl), str(self.db),
               f"--remote=punix:{self.sock}",
               f"--unixctl={self.ctl}",
               f"--pidfile={self.pidfile}",
               f"--log-file={self.logfile}",
               "--no-chdir"]
        if self.tcp_port:
            cmd.append(f"--remote=ptcp:{self.tcp_port}:127.0.0.1")
        return cmd + self.extra_args

    def start(self, timeout=10):
        if not self.db.exists():
            self.create()
        for p in (self.sock, self.ctl):
            if p.exists():
                p.unlink()
        self.stderr = open(self.dir / "stderr.txt", "ab")
        self.proc = subprocess.Popen(
            self.command(), stdout=self.stderr, stderr=self.stderr,
            env=dict(os.environ, OVS_RUNDIR=str(self.dir),
                     OVS_DBDIR=str(self.dir), OVS_LOGDIR=str(self.dir)))
        wait_for(lambda: self._ready(), timeout=timeout,
                 what=f"{self.impl} ovsdb-server to listen on {self.sock}")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(
                f"{self.impl} ovsdb-server exited with {self.proc.returncode}: "
                + self.read_stderr())
        if not self.sock.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(self.sock))
            if self.tcp_port:
                with socket.create_connection(("127.0.0.1", self.tcp_port), 1):
                    pass
            return True
        except OSError:
            return False

    def read_stderr(self):
        try:
            return (self.dir / "stderr.txt").read_text(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    # -- talking to it -----------------------------------------------------
    def transact(self, ops, db="Open_vSwitch", check=True):
        """Run one transaction through Debian's ovsdb-client; returns the result list."""
        p = run([DEBIAN["ovsdb-client"], "transact", self.unix,
                 json.dumps([db] + list(ops))], check=check)
        return json.loads(p.stdout) if p.returncode == 0 else p

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def vsctl(server, *args, impl="debian", check=True, no_wait=True, timeout=30):
    """Run ovs-vsctl (Debian's by default) against `server`."""
    cmd = [program("ovs-vsctl", impl), f"--db={server.unix}", "--timeout=10"]
    if no_wait:
        cmd.append("--no-wait")
    return run(cmd + list(args), check=check, timeout=timeout)


def ovsdb_client(*args, impl="debian", check=True, timeout=30):
    return run([program("ovsdb-client", impl)] + list(args), check=check,
               timeout=timeout)


def appctl(target, *args, check=True, timeout=15):
    return run([DEBIAN["ovs-appctl"], "-t", str(target)] + list(args),
               check=check, timeout=timeout)


def have_tool(name):
    return shutil.which(name) is not None


class RpcClient:
    """A raw JSON-RPC client over a unix or TCP socket (no OVS library).

    Messages are JSON values back to back on the stream, as RFC 7047 says.
    Notifications that arrive while waiting for a reply are kept in
    `self.notifications` in arrival order.
    """

    def __init__(self, target, timeout=10.0):
        if target.startswith("unix:"):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect(target[5:])
        elif target.startswith("tcp:"):
            host, port = target[4:].rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)))
        else:
            raise ValueError(target)
        self.sock.settimeout(timeout)
        self.buf = ""
        self.decoder = json.JSONDecoder()
        self.next_id = 0
        self.notifications = []
        self.requests = []          # requests the server sent us (echo, ...)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, msg):
        self.sock.sendall(json.dumps(msg).encode())

    def send_raw(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def recv(self):
        """Next complete JSON value from the server; None when it closed."""
        try_parse = True
        while True:
            stripped = self.buf.lstrip()
            if stripped and try_parse:
                try:
                    value, end = self.decoder.raw_decode(stripped)
                    self.buf = stripped[end:]
                    return value
                except json.JSONDecodeError:
                    pass
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return None
            self.buf += chunk.decode()
            # A value can only complete in a chunk that closes something;
            # skipping the others keeps huge messages linear.
            try_parse = any(c in chunk for c in (b"}", b"]", b'"')) or \
                chunk.strip()[-1:].isdigit() or chunk.strip()[-1:] in (b"e", b"l")

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"method": method, "params": params, "id": rid})
        return rid

    def wait_reply(self, rid):
        while True:
            m = self.recv()
            if m is None:
                raise ConnectionError("server closed the connection")
            if m.get("id") == rid and "method" not in m:
                return m
            if m.get("id") is None:
                self.notifications.append(m)
            else:
                self.requests.append(m)
                if m.get("method") == "echo":
                    self.send({"result": m["params"], "error": None,
                               "id": m["id"]})

    def call(self, method, params):
        """Request and wait for its reply; returns the whole reply object."""
        return self.wait_reply(self.request(method, params))

    def transact(self, db, *ops):
        return self.call("transact", [db] + list(ops))


class FakeSwitch:
    """Plays the switch daemon's part for tests that have none: copies
    Open_vSwitch.next_cfg to cur_cfg whenever it changes, so that ovs-vsctl
    without --no-wait returns.  A thread with its own JSON-RPC connection."""

    def __init__(self, server):
        self.client = RpcClient(server.unix)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.stopped = False

    def __enter__(self):
        self.client.call("monitor", ["Open_vSwitch", "fake-switch",
                                     {"Open_vSwitch": {"columns": ["next_cfg", "cur_cfg"]}}])
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped = True
        try:
            self.client.sock.shutdown(socket.SHUT_RDWR)   # wakes the blocked recv
        except OSError:
            pass
        self.thread.join(5)
        self.client.close()

    def _run(self):
        try:
            while not self.stopped:
                m = self.client.recv()
                if m is None:
                    return
                if m.get("method") != "update":
                    continue
                for uuid, row in m["params"][1].get("Open_vSwitch", {}).items():
                    new = row.get("new") or {}
                    if new.get("next_cfg", 0) > new.get("cur_cfg", 0):
                        self.client.request("transact", [
                            "Open_vSwitch", {"op": "update", "table": "Open_vSwitch",
                                             "where": [["_uuid", "==", ["uuid", uuid]]],
                                             "row": {"cur_cfg": new["next_cfg"]}}])
        except OSError:
            return


def make_pki(directory):
    """Two certificate authorities and certificates signed by them, via openssl.

    Returns a dict of paths: ca (CA certificate), ca2 (an unrelated CA),
    server-key/server-cert and client-key/client-cert signed by `ca`,
    rogue-key/rogue-cert signed by `ca2`, and *-chain files holding a
    certificate followed by its CA's (what a peer sends for bootstrap).
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = {}

    def ossl(*args):
        run(["openssl"] + list(args))

    for ca in ("ca", "ca2"):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN=vswitch test {ca}", "-keyout", str(d / f"{ca}-key.pem"),
             "-out", str(d / f"{ca}.pem"))
        paths[ca] = str(d / f"{ca}.pem")
    for name, ca in (("server", "ca"), ("client", "ca"), ("rogue", "ca2")):
        key, csr, cert = d / f"{name}-key.pem", d / f"{name}.csr", d / f"{name}-cert.pem"
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
             "-keyout", str(key), "-out", str(csr))
        ossl("x509", "-req", "-in", str(csr), "-CA", str(d / f"{ca}.pem"),
             "-CAkey", str(d / f"{ca}-key.pem"), "-CAcreateserial", "-days", "2",
             "-out", str(cert))
        (d / f"{name}-chain.pem").write_text(cert.read_text() + (d / f"{ca}.pem").read_text())
        paths[f"{name}-key"] = str(key)
        paths[f"{name}-cert"] = str(cert)
        paths[f"{name}-chain"] = str(d / f"{name}-chain.pem")
    return paths


class Vswitchd:
    """Our switch daemon (build/vswitchd/vswitchd) on a database server.

    dpif="dummy" (default) runs the in-process datapath, whose state the
    tests read through `ovs-appctl dpif/show` and drive with the
    netdev-dummy/* commands; "netlink" needs the kernel module (VM tests).
    """

    def __init__(self, server, workdir, dpif="dummy", extra_args=(), name="vswitchd"):
        self.server = server
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dpif = dpif
        self.ctl = self.dir / f"{name}.ctl"
        self.pidfile = self.dir / f"{name}.pid"
        self.logfile = self.dir / f"{name}.log"
        self.extra_args = list(extra_args)
        self.name = name
        self.proc = None

    def command(self):
        return [build_path("vswitchd/vswitchd"), self.server.unix, f"--dpif={self.dpif}",
                f"--unixctl={self.ctl}", f"--pidfile={self.pidfile}",
                f"--log-file={self.logfile}", "--no-chdir", "-vconsole:off"] + self.extra_args

    def start(self, timeout=10):
        if self.ctl.exists():
            self.ctl.unlink()
        self.stderr = open(self.dir / f"{self.name}.stderr", "ab")
        self.proc = subprocess.Popen(
            self.command(), stdout=self.stderr, stderr=self.stderr,
            env=dict(os.environ, OVS_RUNDIR=str(self.dir), OVS_LOGDIR=str(self.dir)))

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"vswitchd exited with {self.proc.returncode}: {self.read_log()}")
            return self.ctl.exists()
        wait_for(ready, timeout=timeout, what=f"vswitchd control socket {self.ctl}")
        return self

    def read_log(self):
        text = ""
        for p in (self.dir / f"{self.name}.stderr", self.logfile):
            try:
                text += p.read_text(errors="replace")
            except OSError:
                pass
        return text

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def appctl(self, *args, check=True, timeout=15):
        return appctl(self.ctl, *args, check=check, timeout=timeout)

    def stop(self, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class DebianVswitchd(Vswitchd):
    """Debian's ovs-vswitchd 3.1 on its dummy datapath (no kernel needed), for
    tests that compare what our vswitchd does with what the real one does.
    Its files are under Open vSwitch's names in workdir (ovs-vswitchd.ctl,
    .pid, .log; BRIDGE.mgmt); dummy interfaces need `type=dummy`."""

    def __init__(self, server, workdir, extra_args=()):
        super().__init__(server, workdir, extra_args=extra_args, name="ovs-vswitchd")

    def command(self):
        return [DEBIAN["ovs-vswitchd"], self.server.unix, "--enable-dummy=override", "--disable-system",
                f"--unixctl={self.ctl}", f"--pidfile={self.pidfile}", f"--log-file={self.logfile}",
                "--no-chdir", "-vconsole:off"] + self.extra_args


def parse_dpif_show(text):
    """`ovs-appctl dpif/show` -> {datapath: {"hit": n, "missed": n,
    "ports": {name: (ofport, dp_port, type)}}} (one bridge per datapath)."""
    import re
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\S+)@(\S+): hit:(\d+) missed:(\d+)$", line)
        if m:
            cur = out[m.group(2)] = {"type": m.group(1), "hit": int(m.group(3)),
                                     "missed": int(m.group(4)), "ports": {}}
            continue
        m = re.match(r"^    (\S+) (\d+)/(\d+): \((\S+)\)$", line)
        if m and cur is not None:
            cur["ports"][m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
    return out
