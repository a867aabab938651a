#include "xapi-plugin/plugin.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>

#include "xapi-plugin/runner.hpp"

namespace xapi {

namespace {

constexpr const char* kOvsdbPort = "6632";

std::string env_or(const char* name, const std::string& dflt) {
    const char* v = std::getenv(name);
    return v && *v ? v : dflt;
}

std::string strip(const std::string& s, const char* chars = " \t\r\n") {
    auto b = s.find_first_not_of(chars);
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(chars);
    return s.substr(b, e - b + 1);
}

std::string member_string(const xmlrpc::Value& v, const std::string& name) {
    const xmlrpc::Value* m = v.get(name);
    return m && m->is_string() ? m->str() : "";
}

std::string other_config(const xmlrpc::Value& rec, const std::string& key) {
    const xmlrpc::Value* oc = rec.get("other_config");
    return oc ? member_string(*oc, key) : "";
}

// "ssl:10.0.0.1:6632" -> "10.0.0.1"; anything else as it is.
std::string controller_of(const std::string& manager) {
    if (manager.rfind("ssl:", 0) != 0) return manager;
    std::string rest = manager.substr(4);
    if (!rest.empty() && rest[0] == '[') {
        auto e = rest.find(']');
        return e == std::string::npos ? rest : rest.substr(1, e - 1);
    }
    auto colon = rest.rfind(':');
    return colon == std::string::npos ? rest : rest.substr(0, colon);
}

}  // namespace

Config Config::from_environment() {
    Config c;
    c.xapi_socket = env_or("XAPI_SOCKET", c.xapi_socket);
    c.vsctl = env_or("OVS_VSCTL", c.vsctl);
    c.vsctl_db = env_or("OVS_VSCTL_DB", "");
    c.ofctl = env_or("OVS_OFCTL", c.ofctl);
    c.interface_reconfigure = env_or("INTERFACE_RECONFIGURE", c.interface_reconfigure);
    c.cacert = env_or("VSWITCH_CACERT", c.cacert);
    c.xapi_ssl_pem = env_or("XAPI_SSL_PEM", c.xapi_ssl_pem);
    c.log_file = env_or("VSWITCH_PLUGIN_LOG", "");
    return c;
}

PluginFailure::PluginFailure(std::string code, std::vector<std::string> params)
    : std::runtime_error(code) {
    description.push_back(std::move(code));
    for (auto& p : params) description.push_back(std::move(p));
}

std::string python_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ", ";
        bool has_single = v[i].find('\'') != std::string::npos;
        bool has_double = v[i].find('"') != std::string::npos;
        char q = has_single && !has_double ? '"' : '\'';
        s += q;
        for (char c : v[i]) {
            if (c == '\\' || (c == q)) s += '\\';
            s += c;
        }
        s += q;
    }
    return s + "]";
}

std::vector<std::string> Plugin::vsctl_argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {cfg_.vsctl, "--timeout=5", "-vconsole:off"};
    if (!cfg_.vsctl_db.empty()) argv.push_back("--db=" + cfg_.vsctl_db);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::string Plugin::vsctl_query(const std::vector<std::string>& args) {
    RunResult r = run(vsctl_argv(args));
    if (!r.started) log_(cfg_.vsctl + ": failed to execute (" + r.error + ")");
    return strip(r.out);
}

void Plugin::vsctl_mod(const std::vector<std::string>& args) {
    RunResult r = run(vsctl_argv(args));
    if (!r.started || r.status != 0)
        throw PluginFailure("VSWITCH_CONFIG_MOD_FAILURE", {std::to_string(r.started ? r.status : 127), python_list(args)});
}

void Plugin::add_flow(const std::string& bridge, const std::string& flow) {
    RunResult r = run({cfg_.ofctl, "add-flow", bridge, flow});
    if (!r.started || r.status != 0)
        throw PluginFailure("VSWITCH_ADD_FLOW_FAILURE", {std::to_string(r.started ? r.status : 127), bridge, flow});
}

std::string Plugin::emergency_reset() {
    RunResult r = run(vsctl_argv({"emer-reset"}));
    if (!r.started || r.status != 0)
        throw PluginFailure("VSWITCH_EMER_RESET_FAILURE", {std::to_string(r.started ? r.status : 127)});
    return "Successfully reset configuration";
}

std::string Plugin::update() {
    // 1. Refresh the bridges' network UUIDs (this host may have joined or left a pool).
    RunResult ir = run({cfg_.interface_reconfigure, "rewrite"});
    if (!ir.started) log_(cfg_.interface_reconfigure + ": failed to execute (" + ir.error + ")");
    else if (ir.status != 0) log_(cfg_.interface_reconfigure + " exited with status " + std::to_string(ir.status));

    // 2. The pool and its controller.
    const xmlrpc::Value all_pools = xapi_.call("pool.get_all");
    const auto& pools = all_pools.array();
    if (pools.empty()) throw PluginFailure("NO_POOL_FOR_HOST", {});
    if (pools.size() > 1) throw PluginFailure("MORE_THAN_ONE_POOL_FOR_HOST", {});
    xmlrpc::Value pool = xapi_.call("pool.get_record", {pools[0]});
    std::string controller = member_string(pool, "vswitch_controller");

    // 3. The switch's current one.
    std::string current = controller_of(vsctl_query({"get-manager"}));

    // 4. Manager and SSL.
    std::string result;
    bool new_controller = false;
    auto delete_cacert = [&] { std::remove(cfg_.cacert.c_str()); };
    if (controller.empty() && !current.empty()) {
        delete_cacert();
        try {
            emergency_reset();
        } catch (const PluginFailure&) {
        }
        vsctl_mod({"--", "del-manager", "--", "del-ssl"});
        result += "Successfully removed controller config.  ";
    } else if (!controller.empty() && controller != current) {
        delete_cacert();
        try {
            emergency_reset();
        } catch (const PluginFailure&) {
        }
        vsctl_mod({"--", "del-manager", "--", "del-ssl", "--", "--bootstrap", "set-ssl", cfg_.xapi_ssl_pem,
                   cfg_.xapi_ssl_pem, cfg_.cacert, "--", "set-manager", "ssl:" + controller + ":" + kOvsdbPort});
        new_controller = true;
        result += "Successfully set controller to " + controller + ".  ";
    }

    // 5. Per bridge: in-band management and fail mode.
    std::string pool_fail_mode = other_config(pool, "vswitch-controller-fail-mode");
    std::map<std::string, xmlrpc::Value> bton;
    const xmlrpc::Value networks = xapi_.call("network.get_all_records");
    for (const auto& [ref, rec] : networks.members()) {
        std::string br = member_string(rec, "bridge");
        if (!br.empty()) bton[br] = rec;
    }
    std::map<std::string, std::string> pool_mgmt_macs;   // MAC -> device
    if (new_controller) {
        xmlrpc::Value pifs = xapi_.call("PIF.get_all_records_where", {"field \"management\"=\"true\""});
        for (const auto& [ref, rec] : pifs.members())
            pool_mgmt_macs[member_string(rec, "MAC")] = member_string(rec, "device");
    }
    bool dib_changed = false, fail_mode_changed = false;
    std::string mgmt_bridge, mgmt_mac, mgmt_device;
    std::string list = vsctl_query({"list-br"});
    std::vector<std::string> bridges;
    for (size_t p = 0; p < list.size();) {
        auto e = list.find_first_of(" \t\n", p);
        if (e == std::string::npos) e = list.size();
        if (e > p) bridges.push_back(list.substr(p, e - p));
        p = e + 1;
    }
    for (const auto& name : bridges) {
        auto net = bton.find(name);
        if (net == bton.end()) {
            log_(name + ": no XAPI network has this bridge; left as it is");
            continue;
        }
        std::string bridge = vsctl_query({"br-to-parent", name});
        std::string xapi_dib = other_config(net->second, "vswitch-disable-in-band");
        std::string ovs_dib =
            strip(vsctl_query({"--", "--if-exists", "get", "Bridge", bridge, "other_config:disable-in-band"}), "\"");
        if (xapi_dib != "true" && xapi_dib != "false" && !xapi_dib.empty()) {
            result += "\"" + xapi_dib + "\" is an invalid value for vswitch-disable-in-band on " + bridge + "  ";
        } else if (xapi_dib != ovs_dib) {
            if (!xapi_dib.empty())
                vsctl_mod({"--", "set", "Bridge", bridge, "other_config:disable-in-band=" + xapi_dib});
            else
                vsctl_mod({"--", "remove", "Bridge", bridge, "other_config", "disable-in-band"});
            dib_changed = true;
        }

        std::string bridge_fail_mode = strip(vsctl_query({"get", "Bridge", bridge, "fail_mode"}), "[]\"");
        std::string fail_mode;
        if (auto pn = bton.find(bridge); pn != bton.end()) fail_mode = other_config(pn->second, "vswitch-controller-fail-mode");
        if (fail_mode != "secure" && fail_mode != "standalone") fail_mode = pool_fail_mode;
        if (fail_mode != "secure") fail_mode = "standalone";
        if (bridge_fail_mode != fail_mode) {
            vsctl_mod({"--", "set", "Bridge", bridge, "fail_mode=" + fail_mode});
            fail_mode_changed = true;
        }

        // 6. A host joining a secure pool keeps its management traffic flowing.
        if (new_controller && fail_mode_changed && pool_fail_mode == "secure") {
            std::string oc = vsctl_query({"get", "Bridge", bridge, "other-config"});
            std::smatch m;
            static const std::regex hwaddr("hwaddr=\"?([0-9a-fA-F:]+)\"?");
            if (std::regex_search(oc, m, hwaddr) && pool_mgmt_macs.count(m[1].str())) {
                mgmt_bridge = bridge;
                mgmt_mac = m[1].str();
                mgmt_device = pool_mgmt_macs[mgmt_mac];
            }
        }
    }
    if (!mgmt_bridge.empty() && !mgmt_mac.empty() && !mgmt_device.empty()) {
        const std::string tp = "idle_timeout=0,priority=0";
        std::string port = vsctl_query({"get", "interface", mgmt_device, "ofport"});
        add_flow(mgmt_bridge, tp + ",in_port=" + port + ",arp,nw_proto=1,actions=local");
        add_flow(mgmt_bridge, tp + ",in_port=local,arp,dl_src=" + mgmt_mac + ",actions=" + port);
        add_flow(mgmt_bridge, tp + ",in_port=" + port + ",dl_dst=" + mgmt_mac + ",actions=local");
        add_flow(mgmt_bridge, tp + ",in_port=local,dl_src=" + mgmt_mac + ",actions=" + port);
    }

    // 7. The summary.
    if (dib_changed) result += "Updated in-band management.  ";
    if (fail_mode_changed) result += "Updated fail_mode.  ";
    return result.empty() ? "No change to configuration" : result;
}

}  // namespace xapi
