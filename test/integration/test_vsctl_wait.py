"""The wait path of ovs-vsctl: a write bumps next_cfg and, without --no-wait,
the tool returns only once the switch daemon has copied it to cur_cfg.

The daemon is played by a slow fake switch written here with raw JSON-RPC
(monitor Open_vSwitch, copy next_cfg to cur_cfg after a delay), against our
ovsdb-server and Debian's; ours and Debian's ovs-vsctl are held to the same
behaviour, including the failure after --timeout when nobody copies.
"""
import os
import re
import socket
import threading
import time

import pytest

from harness import DEBIAN, OvsdbServer, RpcClient, build_path, run

DELAY = 0.6


def exe(impl):
    path = DEBIAN["ovs-vsctl"] if impl == "debian" else build_path("utilities/ovs-vsctl")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{impl} ovs-vsctl is not built")
    return path


class SlowSwitch:
    """Copies next_cfg to cur_cfg DELAY seconds after each change; records when."""

    def __init__(self, server):
        self.client = RpcClient(server.unix)
        self.copies = []          # (monotonic time, value written)
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.client.call("monitor", ["Open_vSwitch", "slow",
                                     {"Open_vSwitch": {"columns": ["next_cfg", "cur_cfg"]}}])
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped = True
        try:
            self.client.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.client.close()

    def _run(self):
        try:
            while not self.stopped:
                m = self.client.recv()
                if m is None or m.get("method") != "update":
                    continue
                for uuid, row in m["params"][1].get("Open_vSwitch", {}).items():
                    new = row.get("new") or {}
                    if new.get("next_cfg", 0) > new.get("cur_cfg", 0):
                        time.sleep(DELAY)
                        self.copies.append((time.monotonic(), new["next_cfg"]))
                        self.client.request("transact", [
                            "Open_vSwitch", {"op": "update", "table": "Open_vSwitch",
                                             "where": [["_uuid", "==", ["uuid", uuid]]],
                                             "row": {"cur_cfg": new["next_cfg"]}}])
        except OSError:
            return


def cfg(server):
    out = run([DEBIAN["ovs-vsctl"], f"--db={server.unix}", "get", "Open_vSwitch", ".",
               "next_cfg", "cur_cfg"]).stdout.split()
    return int(out[0]), int(out[1])


@pytest.mark.parametrize("server_impl", ["ours", "debian"])
@pytest.mark.parametrize("tool", ["ours", "debian"])
def test_write_returns_after_cur_cfg_caught_up(server_impl, tool, tmp_path):
    with OvsdbServer(server_impl, tmp_path / "s") as s:
        run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "--no-wait", "init"])
        with SlowSwitch(s) as sw:
            for i, cmd in enumerate((["add-br", "br0"], ["set", "Bridge", "br0", "other_config:a=1"],
                                     ["del-br", "br0"])):
                before = cfg(s)[0]
                t0 = time.monotonic()
                r = run([exe(tool), f"--db={s.unix}", "--timeout=10"] + cmd, check=False)
                done = time.monotonic()
                assert r.returncode == 0, r.stderr
                nxt, cur = cfg(s)
                assert nxt == before + 1 and cur == nxt
                # returned after the switch's copy of exactly this value, not before
                copy_t = [t for t, v in sw.copies if v == nxt]
                assert copy_t and copy_t[0] <= done and done - t0 >= DELAY
            # read-only commands neither bump next_cfg nor wait
            t0 = time.monotonic()
            n0 = cfg(s)[0]
            assert run([exe(tool), f"--db={s.unix}", "list-br"]).returncode == 0
            assert time.monotonic() - t0 < DELAY and cfg(s)[0] == n0


@pytest.mark.parametrize("server_impl", ["ours", "debian"])
def test_nobody_copies_fails_after_timeout_like_debian(server_impl, tmp_path):
    with OvsdbServer(server_impl, tmp_path / "s") as s:
        run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "--no-wait", "init"])
        results = {}
        for tool in ("debian", "ours"):
            t0 = time.monotonic()
            r = run([exe(tool), f"--db={s.unix}", "--timeout=1", "add-br", f"br-{tool}"], check=False)
            results[tool] = (r.returncode, r.stdout, re.sub(r"^\S+Z\|", "<time>|", r.stderr.replace(exe(tool), "ovs-vsctl"), flags=re.M),
                             time.monotonic() - t0)
            assert 0.9 <= results[tool][3] < 5
        assert results["ours"][:3] == results["debian"][:3]
        assert results["debian"][0] == -14   # killed by SIGALRM, as Open vSwitch does
        # the write itself was committed; only the wait gave up
        out = run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "list-br"]).stdout.split()
        assert out == ["br-debian", "br-ours"]
