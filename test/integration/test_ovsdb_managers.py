"""Manager connections, SSL, and remotes read from the database (issue 3).

The server runs with `--remote=db:Open_vSwitch,Open_vSwitch,manager_options`
and Debian's tools play the manager: `ovsdb-client monitor ptcp:`/`pssl:`
listens, and the server must connect out to it.  Each test runs against our
server and Debian's (`server_impl`): the Debian run proves the expectation.
"""
import json
import queue
import socket
import subprocess
import threading
import time

import pytest

from harness import DEBIAN, OvsdbServer, free_port, run, tcp_listening, vsctl, wait_for

MANAGER_REMOTE = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"


@pytest.fixture(params=["ours", "debian"])
def server_impl(request):
    return request.param


class Lines:
    """Reads a child's stdout lines on a thread, so tests can wait with a timeout."""

    def __init__(self, proc):
        self.proc = proc
        self.q = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.q.put(line)
        self.q.put(None)

    def next(self, timeout=20):
        try:
            line = self.q.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout}s")
        if line is None:
            raise AssertionError("the process ended: " + self.proc.stderr.read())
        return line

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def monitor(listen, *ssl_args, table="Bridge", columns="name"):
    p = subprocess.Popen([DEBIAN["ovsdb-client"], *ssl_args, "monitor", listen,
                          "Open_vSwitch", table, columns, "--format=json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Lines(p)


def manager_row(server):
    rows = json.loads(vsctl(server, "--format=json", "--data=json", "--columns=target,is_connected,status",
                            "list", "Manager").stdout)["data"]
    if not rows:
        return None
    target, connected, status = rows[0]
    return {"target": target, "is_connected": connected,
            "status": dict(status[1]) if status[0] == "map" else {}}


def start(impl, tmp_path, *extra):
    s = OvsdbServer(impl, tmp_path / impl, tcp=False,
                    extra_args=[MANAGER_REMOTE, *extra]).start()
    vsctl(s, "init")
    return s


def test_active_tcp_manager_gets_monitor_updates(server_impl, tmp_path):
    s = start(server_impl, tmp_path)
    mon = None
    try:
        vsctl(s, "add-br", "br0")
        port = free_port()
        mon = monitor(f"ptcp:{port}:127.0.0.1")
        vsctl(s, "set-manager", f"tcp:127.0.0.1:{port}")
        first = json.loads(mon.next())
        assert [r[1:] for r in first["data"]] == [["initial", "br0"]]
        vsctl(s, "add-br", "br1")
        update = json.loads(mon.next())
        assert [r[1:] for r in update["data"]] == [["insert", "br1"]]
        wait_for(lambda: (manager_row(s) or {}).get("is_connected") is True,
                 timeout=15, what="is_connected=true")
        status = manager_row(s)["status"]
        assert status["state"] == "ACTIVE"
        assert "sec_since_connect" in status
        # del-manager closes the connection: the manager side sees it end.
        vsctl(s, "del-manager")
        wait_for(lambda: mon.proc.poll() is not None, timeout=15,
                 what="the manager connection to be closed")
    finally:
        if mon:
            mon.stop()
        s.stop()


def test_reconnects_after_manager_restart(server_impl, tmp_path):
    s = start(server_impl, tmp_path)
    mon = None
    try:
        vsctl(s, "add-br", "br0")
        port = free_port()
        mon = monitor(f"ptcp:{port}:127.0.0.1")
        vsctl(s, "--", "--id=@m", "create", "Manager", f"target=\"tcp:127.0.0.1:{port}\"",
              "max_backoff=2000", "--", "set", "Open_vSwitch", ".", "manager_options=@m")
        mon.next()
        wait_for(lambda: (manager_row(s) or {}).get("is_connected") is True,
                 timeout=15, what="is_connected=true")
        mon.stop()
        wait_for(lambda: manager_row(s)["is_connected"] is False, timeout=15,
                 what="is_connected=false after the manager died")
        status = manager_row(s)["status"]
        assert status["state"] != "ACTIVE"
        assert "sec_since_disconnect" in status
        t0 = time.monotonic()
        mon = monitor(f"ptcp:{port}:127.0.0.1")
        first = json.loads(mon.next(timeout=20))
        assert [r[1:] for r in first["data"]] == [["initial", "br0"]]
        # max_backoff is 2 s: the reconnection comes well within a few seconds.
        assert time.monotonic() - t0 < 6
        wait_for(lambda: manager_row(s)["is_connected"] is True, timeout=15,
                 what="is_connected=true again")
    finally:
        if mon:
            mon.stop()
        s.stop()


def test_passive_remote_from_a_row(server_impl, tmp_path):
    s = start(server_impl, tmp_path)
    try:
        port = free_port()
        vsctl(s, "set-manager", f"ptcp:{port}:127.0.0.1")

        wait_for(lambda: tcp_listening(port), timeout=15, what="the ptcp manager to listen")
        out = run([DEBIAN["ovsdb-client"], "list-dbs", f"tcp:127.0.0.1:{port}"]).stdout
        assert "Open_vSwitch" in out.split()
        wait_for(lambda: "bound_port" in (manager_row(s) or {}).get("status", {}),
                 timeout=15, what="bound_port in the status")
        assert manager_row(s)["status"]["bound_port"] == str(port)
        vsctl(s, "del-manager")
        wait_for(lambda: not tcp_listening(port), timeout=15, what="the listener to close")
    finally:
        s.stop()


class SilentPeer:
    """A TCP listener that accepts connections and records what it receives,
    never answering (or answering garbage)."""

    def __init__(self, reply=None):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        self.reply = reply
        self.connections = []        # (accepted-at, received-bytes, closed-at)
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            rec = {"t": time.monotonic(), "data": b"", "closed": None}
            with self.lock:
                self.connections.append(rec)
            threading.Thread(target=self._serve, args=(c, rec), daemon=True).start()

    def _serve(self, c, rec):
        if self.reply:
            c.sendall(self.reply)
        while True:
            try:
                d = c.recv(65536)
            except OSError:
                d = b""
            if not d:
                rec["closed"] = time.monotonic()
                c.close()
                return
            rec["data"] += d

    def close(self):
        self.srv.close()


def test_silent_peer_is_dropped_after_probe(server_impl, tmp_path):
    s = start(server_impl, tmp_path)
    peer = SilentPeer()
    try:
        vsctl(s, "--", "--id=@m", "create", "Manager", f"target=\"tcp:127.0.0.1:{peer.port}\"",
              "inactivity_probe=1000", "--", "set", "Open_vSwitch", ".", "manager_options=@m")
        wait_for(lambda: peer.connections and peer.connections[0]["closed"], timeout=20,
                 what="the silent peer to be dropped")
        first = peer.connections[0]
        assert b'"echo"' in first["data"]            # it was probed first
        assert first["closed"] - first["t"] < 8      # probe 1 s + 1 s grace (+ slack)
        # ... and other clients are not disturbed
        vsctl(s, "add-br", "br-other")
        assert vsctl(s, "list-br").stdout.split() == ["br-other"]
        wait_for(lambda: len(peer.connections) >= 2, timeout=20, what="a reconnection")
    finally:
        peer.close()
        s.stop()


def test_garbage_peer_is_dropped_with_a_log_line(server_impl, tmp_path):
    s = start(server_impl, tmp_path)
    peer = SilentPeer(reply=b"}}} this is not JSON {{{")
    try:
        vsctl(s, "set-manager", f"tcp:127.0.0.1:{peer.port}")
        wait_for(lambda: peer.connections and peer.connections[0]["closed"], timeout=20,
                 what="the garbage peer to be dropped")
        log = s.logfile.read_text()
        assert f"tcp:127.0.0.1:{peer.port}" in log
        assert any(w in log.lower() for w in ("parse", "syntax", "protocol"))
        vsctl(s, "add-br", "br-other")
        assert vsctl(s, "list-br").stdout.split() == ["br-other"]
    finally:
        peer.close()
        s.stop()


def ssl_args(pki, who):
    return [f"--private-key={pki[who + '-key']}", f"--certificate={pki[who + '-cert']}",
            f"--ca-cert={pki['ca']}"]


def test_ssl_client_against_pssl_remote(server_impl, tmp_path, pki):
    port = free_port()
    s = start(server_impl, tmp_path, f"--remote=pssl:{port}:127.0.0.1",
              *ssl_args(pki, "server"))
    try:
        db = f"--db=ssl:127.0.0.1:{port}"
        vs = DEBIAN["ovs-vsctl"]
        run([vs, db, *ssl_args(pki, "client"), "--no-wait", "add-br", "br-ssl"])
        out = run([vs, db, *ssl_args(pki, "client"), "--no-wait", "list-br"]).stdout
        assert out.split() == ["br-ssl"]
        # A certificate from another CA is refused, and the refusal is logged.
        p = run([vs, db, f"--private-key={pki['rogue-key']}", f"--certificate={pki['rogue-cert']}",
                 f"--ca-cert={pki['ca']}", "--no-wait", "--timeout=5", "list-br"], check=False)
        assert p.returncode != 0
        wait_for(lambda: "certificate" in s.logfile.read_text().lower(), timeout=10,
                 what="a log line about the refused certificate")
        # ... and a client that does not trust our CA gets nothing either.
        p = run([vs, db, f"--private-key={pki['client-key']}", f"--certificate={pki['client-cert']}",
                 f"--ca-cert={pki['ca2']}", "--no-wait", "--timeout=5", "list-br"], check=False)
        assert p.returncode != 0
    finally:
        s.stop()


def test_active_ssl_manager_with_keys_from_the_database(server_impl, tmp_path, pki):
    s = start(server_impl, tmp_path,
              "--private-key=db:Open_vSwitch,SSL,private_key",
              "--certificate=db:Open_vSwitch,SSL,certificate",
              "--ca-cert=db:Open_vSwitch,SSL,ca_cert")
    mon = None
    try:
        vsctl(s, "add-br", "br0")
        vsctl(s, "set-ssl", pki["server-key"], pki["server-cert"], pki["ca"])
        port = free_port()
        mon = monitor(f"pssl:{port}:127.0.0.1", *ssl_args(pki, "client"))
        vsctl(s, "set-manager", f"ssl:127.0.0.1:{port}")
        first = json.loads(mon.next(timeout=30))
        assert [r[1:] for r in first["data"]] == [["initial", "br0"]]
        wait_for(lambda: (manager_row(s) or {}).get("is_connected") is True,
                 timeout=15, what="is_connected=true over SSL")
    finally:
        if mon:
            mon.stop()
        s.stop()


def test_active_ssl_manager_from_another_ca_is_refused(server_impl, tmp_path, pki):
    s = start(server_impl, tmp_path, *ssl_args(pki, "server"))
    mon = None
    try:
        port = free_port()
        mon = monitor(f"pssl:{port}:127.0.0.1", f"--private-key={pki['rogue-key']}",
                      f"--certificate={pki['rogue-cert']}", f"--ca-cert={pki['ca2']}")
        vsctl(s, "set-manager", f"ssl:127.0.0.1:{port}")
        wait_for(lambda: "certificate" in s.logfile.read_text().lower() or
                 "unknown ca" in s.logfile.read_text().lower(), timeout=20,
                 what="a log line about the refused peer")
        assert manager_row(s)["is_connected"] is False
    finally:
        if mon:
            mon.stop()
        s.stop()


def test_bootstrap_ca_cert(server_impl, tmp_path, pki):
    saved = tmp_path / "bootstrapped-ca.pem"
    s = start(server_impl, tmp_path, f"--private-key={pki['server-key']}",
              f"--certificate={pki['server-cert']}", f"--bootstrap-ca-cert={saved}")
    mon = None
    try:
        vsctl(s, "add-br", "br0")
        port = free_port()
        # The manager sends its CA certificate after its own (a chain file).
        args = [f"--private-key={pki['client-key']}", f"--certificate={pki['client-chain']}",
                f"--ca-cert={pki['ca']}"]
        mon = monitor(f"pssl:{port}:127.0.0.1", *args)
        vsctl(s, "--", "--id=@m", "create", "Manager", f"target=\"ssl:127.0.0.1:{port}\"",
              "max_backoff=1000", "--", "set", "Open_vSwitch", ".", "manager_options=@m")
        wait_for(lambda: saved.exists(), timeout=20, what="the CA certificate to be saved")
        with open(pki["ca"]) as f:
            assert saved.read_text().strip() == f.read().strip()
        # The first connection is dropped after bootstrapping; a manager that
        # listens again is now verified against the saved CA.
        wait_for(lambda: mon.proc.poll() is not None, timeout=20,
                 what="the bootstrap connection to be dropped")
        mon = monitor(f"pssl:{port}:127.0.0.1", *args)
        first = json.loads(mon.next(timeout=30))
        assert [r[1:] for r in first["data"]] == [["initial", "br0"]]
    finally:
        if mon:
            mon.stop()
        s.stop()
