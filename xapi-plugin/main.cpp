// openvswitch-cfg-update: the XAPI plugin.  XAPI runs it with one argument,
// an XML-RPC methodCall (method "update" or "emergency_reset", params: the
// session reference and a struct of arguments); it prints an XML-RPC
// methodResponse holding {Status: Success, Value: text} or {Status: Failure,
// ErrorDescription: [...]}, as XenAPIPlugin.dispatch does.
#include <syslog.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "xapi-plugin/plugin.hpp"
#include "xapi-plugin/xapi_client.hpp"
#include "xapi-plugin/xmlrpc.hpp"

namespace {

std::string failure(const std::vector<std::string>& desc) {
    xmlrpc::Array a;
    for (const auto& d : desc) a.emplace_back(d);
    return xmlrpc::method_response(xmlrpc::Struct{{"Status", "Failure"}, {"ErrorDescription", a}});
}

void usage() {
    std::printf(
        "usage: openvswitch-cfg-update METHODCALL\n"
        "\n"
        "The XAPI plugin that keeps the switch's manager, SSL settings and bridge\n"
        "fail modes in line with the XenServer pool.  XAPI runs it with an XML-RPC\n"
        "methodCall as the only argument; methods: update, emergency_reset.\n"
        "\n"
        "Environment (for tests; defaults in brackets):\n"
        "  XAPI_SOCKET            XAPI's unix socket [/var/xapi/xapi]\n"
        "  OVS_VSCTL              ovs-vsctl [/usr/bin/ovs-vsctl]\n"
        "  OVS_VSCTL_DB           passed to ovs-vsctl as --db= [unset]\n"
        "  OVS_OFCTL              ovs-ofctl [/usr/bin/ovs-ofctl]\n"
        "  INTERFACE_RECONFIGURE  [/opt/xensource/libexec/interface-reconfigure]\n"
        "  VSWITCH_CACERT         bootstrap CA certificate [/etc/openvswitch/vswitchd.cacert]\n"
        "  XAPI_SSL_PEM           host key and certificate [/etc/xensource/xapi-ssl.pem]\n"
        "  VSWITCH_PLUGIN_LOG     also append log messages to this file [unset]\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        usage();
        return 0;
    }
    if (argc != 2) {
        std::fprintf(stderr, "openvswitch-cfg-update: Incorrect number of commandline arguments\n");
        return 1;
    }
    xapi::Config cfg = xapi::Config::from_environment();
    ::openlog("openvswitch-cfg-update", LOG_PID, LOG_DAEMON);
    auto log = [&](const std::string& msg) {
        ::syslog(LOG_INFO, "%s", msg.c_str());
        if (!cfg.log_file.empty()) std::ofstream(cfg.log_file, std::ios::app) << msg << "\n";
    };

    xmlrpc::Call call;
    try {
        call = xmlrpc::parse_method_call(argv[1]);
    } catch (const xmlrpc::ParseError& e) {
        std::fprintf(stderr, "openvswitch-cfg-update: cannot parse the method call: %s\n", e.what());
        return 1;
    }
    const std::string& method = call.method;
    if (method != "update" && method != "emergency_reset") {
        std::fputs(failure({"UNKNOWN_XENAPI_PLUGIN_FUNCTION", method}).c_str(), stdout);
        return 0;
    }
    std::string session = !call.params.empty() && call.params[0].is_string() ? call.params[0].str() : "";
    std::string out;
    try {
        xapi::Client client(cfg.xapi_socket, session);
        if (session.empty()) client.login();
        xapi::Plugin plugin(cfg, client, log);
        std::string result = method == "update" ? plugin.update() : plugin.emergency_reset();
        out = xmlrpc::method_response(xmlrpc::Struct{{"Status", "Success"}, {"Value", result}});
    } catch (const xapi::PluginFailure& e) {
        out = failure(e.description);
    } catch (const xapi::Failure& e) {
        // A XAPI call failed: reported as an exception in the plugin, as XenAPIPlugin does.
        out = failure({"XENAPI_PLUGIN_FAILURE", method, "Failure", xapi::python_list(e.description)});
    } catch (const xapi::TransportError& e) {
        log(std::string("cannot talk to XAPI: ") + e.what());
        out = failure({"XENAPI_PLUGIN_FAILURE", method, "TransportError", e.what()});
    } catch (const std::exception& e) {
        out = failure({"XENAPI_PLUGIN_FAILURE", method, "Exception", e.what()});
    }
    std::fputs(out.c_str(), stdout);
    return 0;
}
