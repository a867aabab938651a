"""Debian's ovs-appctl against the server's control socket (unixctl protocol).

Runs against our server and Debian's; the expectations are what Debian's
3.1 server does.
"""

from harness import appctl, free_port, tcp_listening, vsctl, wait_for


def ctl(server, *args, check=True):
    return appctl(server.ctl, *args, check=check)


def test_version_and_list_commands(any_ovsdb):
    assert "ovsdb-server" in ctl(any_ovsdb, "version").stdout
    listing = ctl(any_ovsdb, "list-commands").stdout
    assert listing.startswith("The available commands are:")
    commands = {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}
    for c in ("exit", "version", "list-commands", "vlog/set", "vlog/list",
              "vlog/reopen", "ovsdb-server/list-remotes", "ovsdb-server/add-remote",
              "ovsdb-server/remove-remote", "ovsdb-server/list-dbs",
              "ovsdb-server/reconnect", "memory/show"):
        assert c in commands, c


def test_errors_follow_the_protocol(any_ovsdb):
    p = ctl(any_ovsdb, "no-such-command", check=False)
    assert p.returncode == 2
    assert '"no-such-command" is not a valid command' in p.stderr + p.stdout
    p = ctl(any_ovsdb, "version", "extra", check=False)
    assert p.returncode == 2
    assert "takes at most 0 arguments" in p.stderr + p.stdout


def test_vlog_set_and_list(any_ovsdb):
    listing = ctl(any_ovsdb, "vlog/list").stdout.splitlines()
    assert listing[0].split() == ["console", "syslog", "file"]
    module = listing[2].split()[0]
    ctl(any_ovsdb, "vlog/set", f"{module}:file:dbg")
    row = next(line for line in ctl(any_ovsdb, "vlog/list").stdout.splitlines()
               if line.split() and line.split()[0] == module)
    assert row.split()[1:] == ["INFO", "INFO", "DBG"]
    p = ctl(any_ovsdb, "vlog/set", "no_such_module:dbg", check=False)
    assert p.returncode == 2
    ctl(any_ovsdb, "vlog/reopen")


def test_remotes_added_and_removed_at_run_time(any_ovsdb):
    remotes = ctl(any_ovsdb, "ovsdb-server/list-remotes").stdout.split()
    assert f"punix:{any_ovsdb.sock}" in remotes
    port = free_port()
    ctl(any_ovsdb, "ovsdb-server/add-remote", f"ptcp:{port}:127.0.0.1")
    assert f"ptcp:{port}:127.0.0.1" in ctl(any_ovsdb, "ovsdb-server/list-remotes").stdout.split()

    wait_for(lambda: tcp_listening(port), what="the added remote to listen")
    ctl(any_ovsdb, "ovsdb-server/remove-remote", f"ptcp:{port}:127.0.0.1")
    assert f"ptcp:{port}:127.0.0.1" not in ctl(any_ovsdb, "ovsdb-server/list-remotes").stdout
    wait_for(lambda: not tcp_listening(port), what="the removed remote to stop listening")
    p = ctl(any_ovsdb, "ovsdb-server/remove-remote", "ptcp:1:127.0.0.1", check=False)
    assert p.returncode == 2
    assert "no such remote" in p.stderr + p.stdout


def test_list_dbs_memory_reconnect(any_ovsdb):
    assert ctl(any_ovsdb, "ovsdb-server/list-dbs").stdout.split() == ["Open_vSwitch", "_Server"]
    vsctl(any_ovsdb, "init")
    mem = ctl(any_ovsdb, "memory/show").stdout
    assert "cells:" in mem and "monitors:" in mem
    ctl(any_ovsdb, "ovsdb-server/reconnect")
    vsctl(any_ovsdb, "add-br", "br0")   # still serving after reconnect


def test_exit(any_ovsdb):
    ctl(any_ovsdb, "exit")
    wait_for(lambda: any_ovsdb.proc.poll() is not None, what="the server to exit")
    assert any_ovsdb.proc.returncode == 0
