// The openvswitch-cfg-update plugin's two functions: `update` (bring the
// switch's manager, SSL, in-band and fail-mode settings in line with the
// pool) and `emergency_reset`.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "xapi-plugin/xapi_client.hpp"

namespace xapi {

// Where everything is; each path can be overridden from the environment
// (see from_environment()) so that tests run the plugin against doubles.
struct Config {
    std::string xapi_socket = "/var/xapi/xapi";
    std::string vsctl = "/usr/bin/ovs-vsctl";
    std::string vsctl_db;   // passed as --db= when set
    std::string ofctl = "/usr/bin/ovs-ofctl";
    std::string interface_reconfigure = "/opt/xensource/libexec/interface-reconfigure";
    std::string cacert = "/etc/openvswitch/vswitchd.cacert";
    std::string xapi_ssl_pem = "/etc/xensource/xapi-ssl.pem";
    std::string log_file;   // also write syslog messages here, one per line

    static Config from_environment();
};

// The plugin's own failure, reported as XenAPIPlugin.Failure is:
// ErrorDescription = [code, params...].
struct PluginFailure : std::runtime_error {
    PluginFailure(std::string code, std::vector<std::string> params);
    std::vector<std::string> description;
};

class Plugin {
public:
    Plugin(Config cfg, Client& xapi, std::function<void(const std::string&)> log)
        : cfg_(std::move(cfg)), xapi_(xapi), log_(std::move(log)) {}

    std::string update();
    std::string emergency_reset();

private:
    std::string vsctl_query(const std::vector<std::string>& args);
    void vsctl_mod(const std::vector<std::string>& args);
    void add_flow(const std::string& bridge, const std::string& flow);
    std::vector<std::string> vsctl_argv(const std::vector<std::string>& args);

    Config cfg_;
    Client& xapi_;
    std::function<void(const std::string&)> log_;
};

// Python's str() of a list of strings: ['a', 'b'].
std::string python_list(const std::vector<std::string>& v);

}  // namespace xapi
