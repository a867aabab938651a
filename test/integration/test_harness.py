"""The harness itself: Debian's server and tools run under it as expected.

These checks guard the fixtures every other integration test relies on: if
Debian's own ovsdb-server cannot be started and driven here, no comparison
with it means anything.
"""
from harness import OvsdbServer, vsctl, run, DEBIAN


def test_debian_server_starts_and_serves(debian_ovsdb):
    vsctl(debian_ovsdb, "init")
    vsctl(debian_ovsdb, "add-br", "br0")
    assert vsctl(debian_ovsdb, "list-br").stdout.split() == ["br0"]
    # The same server answers over TCP on 127.0.0.1.
    out = run([DEBIAN["ovsdb-client"], "list-dbs", debian_ovsdb.tcp]).stdout
    assert "Open_vSwitch" in out.split()


def test_debian_server_keeps_data_across_restart(tmp_path):
    s = OvsdbServer("debian", tmp_path).start()
    try:
        vsctl(s, "init")
        vsctl(s, "add-br", "br7")
        s.kill9()
        s.start()
        assert vsctl(s, "list-br").stdout.split() == ["br7"]
    finally:
        s.stop()
