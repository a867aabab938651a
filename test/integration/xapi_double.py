"""A XAPI TEST DOUBLE — not XAPI.

XAPI (XenServer's management daemon) cannot run here, so the plugin's tests
talk to this stand-in.  It speaks XAPI's real wire protocol: XML-RPC
methodCalls POSTed over HTTP to a unix socket, answered with a
methodResponse holding {"Status": "Success", "Value": ...} or
{"Status": "Failure", "ErrorDescription": [...]}.  It serves the calls the
openvswitch-cfg-update plugin makes (session, pool, network, PIF) from a
state loaded from a JSON fixture (fixtures/xapi_host.json; tests then change
it in place), and records every call it receives.

Run on its own to poke at the plugin by hand:
    python3 xapi_double.py SOCKET [STATE.json]
"""
import http.server
import json
import os
import socketserver
import threading
import xmlrpc.client


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_state(path=None):
    """A fresh state from a JSON fixture (default: fixtures/xapi_host.json)."""
    with open(path or os.path.join(FIXTURES, "xapi_host.json")) as f:
        state = json.load(f)
    state.pop("_comment", None)
    return state


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


class XapiDouble:
    """state: {"pools": {ref: record}, "networks": {ref: record}, "pifs": {ref: record},
    "sessions": [valid session refs]}"""

    def __init__(self, path, state):
        self.path = str(path)
        self.state = state
        self.calls = []
        self.fail = {}          # method -> ErrorDescription to answer with
        double = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                params, method = xmlrpc.client.loads(body.decode())
                double.calls.append((method, params))
                result = double.dispatch(method, params)
                out = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        if os.path.exists(self.path):
            os.unlink(self.path)
        self.server = _Server(self.path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def methods(self):
        return [m for m, _ in self.calls]

    def dispatch(self, method, params):
        if method in self.fail:
            return {"Status": "Failure", "ErrorDescription": self.fail[method]}
        if method == "session.login_with_password":
            ref = "OpaqueRef:session-login"
            self.state.setdefault("sessions", []).append(ref)
            return {"Status": "Success", "Value": ref}
        session = params[0] if params else None
        if session not in self.state.get("sessions", []):
            return {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", str(session)]}
        args = params[1:]
        if method == "pool.get_all":
            return {"Status": "Success", "Value": list(self.state.get("pools", {}))}
        if method == "pool.get_record":
            rec = self.state.get("pools", {}).get(args[0])
            if rec is None:
                return {"Status": "Failure", "ErrorDescription": ["HANDLE_INVALID", "pool", args[0]]}
            return {"Status": "Success", "Value": rec}
        if method == "network.get_all_records":
            return {"Status": "Success", "Value": self.state.get("networks", {})}
        if method == "PIF.get_all_records_where":
            query = args[0].replace(" ", "") if args else ""
            want_mgmt = '"management"="true"' in query
            pifs = {r: p for r, p in self.state.get("pifs", {}).items() if not want_mgmt or p.get("management")}
            return {"Status": "Success", "Value": pifs}
        return {"Status": "Failure", "ErrorDescription": ["MESSAGE_METHOD_UNKNOWN", method]}


if __name__ == "__main__":
    import sys
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: xapi_double.py SOCKET [STATE.json]")
    with XapiDouble(sys.argv[1], load_state(sys.argv[2] if len(sys.argv) == 3 else None)) as d:
        print(f"XAPI test double on {d.path}; Ctrl-C stops it", flush=True)
        try:
            d.thread.join()
        except KeyboardInterrupt:
            pass
