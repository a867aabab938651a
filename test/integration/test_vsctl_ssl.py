"""ovs-vsctl (ours, and Debian's as the reference) against an ssl: server.

Both servers (ours and Debian's) listen on pssl: with a certificate signed by
the test CA.  The client presents its key and certificate and checks the
server against the CA; a CA that did not sign the server's certificate must
be refused; --bootstrap-ca-cert fetches the CA from the server's chain and
writes it to the named file.
"""
import os
import time

import pytest

from harness import DEBIAN, OvsdbServer, build_path, free_port, run, tcp_listening, wait_for


def exe(impl):
    return DEBIAN["ovs-vsctl"] if impl == "debian" else build_path("utilities/ovs-vsctl")


def ssl_server(impl, workdir, pki):
    port = free_port()
    s = OvsdbServer(impl, workdir, tcp=False, extra_args=[
        f"--remote=pssl:{port}:127.0.0.1", f"--private-key={pki['server-key']}",
        f"--certificate={pki['server-chain']}", f"--ca-cert={pki['ca']}"])
    s.ssl_port = port
    return s


@pytest.mark.parametrize("server_impl", ["ours", "debian"])
@pytest.mark.parametrize("tool", ["ours", "debian"])
def test_vsctl_over_ssl(server_impl, tool, tmp_path, pki):
    if tool == "ours" and not os.access(exe("ours"), os.X_OK):
        pytest.fail("our ovs-vsctl is not built")
    with ssl_server(server_impl, tmp_path / "s", pki) as s:
        wait_for(lambda: tcp_listening(s.ssl_port), what="pssl listener")
        run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "--no-wait", "init", "--", "add-br", "br0"])
        db = f"--db=ssl:127.0.0.1:{s.ssl_port}"
        good = [f"--private-key={pki['client-key']}", f"--certificate={pki['client-cert']}",
                f"--ca-cert={pki['ca']}"]
        r = run([exe(tool), db, "--no-wait"] + good + ["list-br"], check=False)
        assert (r.returncode, r.stdout) == (0, "br0\n"), r.stderr
        r = run([exe(tool), db, "--no-wait"] + good + ["add-br", "br1"], check=False)
        assert r.returncode == 0, r.stderr
        assert run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "list-br"]).stdout == "br0\nbr1\n"

        # The wrong CA: the server's certificate does not verify; no answer, timeout.
        wrong = good[:2] + [f"--ca-cert={pki['ca2']}"]
        t0 = time.monotonic()
        r = run([exe(tool), db, "--timeout=2"] + wrong + ["list-br"], check=False)
        assert r.returncode != 0 and r.stdout == ""
        assert time.monotonic() - t0 < 10

        # Bootstrap: the CA file does not exist yet; the tool writes it from the server's chain.
        ca_file = tmp_path / f"boot-{tool}.pem"
        boot = good[:2] + [f"--bootstrap-ca-cert={ca_file}"]
        for _ in range(3):   # Open vSwitch's first connection may only save the CA and reconnect
            r = run([exe(tool), db, "--timeout=5"] + boot + ["list-br"], check=False)
            if r.returncode == 0:
                break
        assert ca_file.exists(), r.stderr
        assert "BEGIN CERTIFICATE" in ca_file.read_text()
        assert ca_file.read_text().strip() == open(pki["ca"]).read().strip()
        r = run([exe(tool), db, "--timeout=5"] + good[:2] + [f"--ca-cert={ca_file}", "list-br"], check=False)
        assert (r.returncode, r.stdout) == (0, "br0\nbr1\n"), r.stderr
