#include "vswitchd/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace vswitchd {

namespace {

using ovsdb::Uuid;
using ovsdb::idl::Replica;
using ovsdb::idl::Row;

// An integer in a string map, within [lo, hi]; else the default.
template <typename T>
T int_option(const std::map<std::string, std::string>& m, const std::string& key, T dflt, long long lo,
             long long hi) {
    auto it = m.find(key);
    if (it == m.end() || it->second.empty()) return dflt;
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (*end != '\0') return dflt;
    return static_cast<T>(std::clamp(v, lo, hi));
}

// Rows referenced by `column` of `row`, present in `table`, sorted by name.
std::vector<const Row*> referenced(const Replica& r, const Row& row, const std::string& column,
                                   const std::string& table) {
    std::vector<const Row*> out;
    for (const Uuid& u : row.refs(column))
        if (const Row* x = r.row(table, u)) out.push_back(x);
    std::sort(out.begin(), out.end(), [](const Row* a, const Row* b) {
        std::string na = a->string("name"), nb = b->string("name");
        return na != nb ? na < nb : a->uuid() < b->uuid();
    });
    return out;
}

}  // namespace

std::optional<uint64_t> parse_datapath_id(const std::string& s) {
    std::string h = s;
    if (h.rfind("0x", 0) == 0 || h.rfind("0X", 0) == 0) h = h.substr(2);
    if (h.size() != 16) return std::nullopt;
    for (char c : h)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    return std::strtoull(h.c_str(), nullptr, 16);
}

const PortConfig* BridgeConfig::port_of(const std::string& iface) const {
    for (const auto& [_, p] : ports)
        for (const auto& i : p.interfaces)
            if (i.name == iface) return &p;
    return nullptr;
}

std::pair<const BridgeConfig*, const PortConfig*> Config::find_interface(const std::string& name) const {
    for (const auto& [_, b] : bridges)
        if (const PortConfig* p = b.port_of(name)) return {&b, p};
    return {nullptr, nullptr};
}

Config read_config(const Replica& r) {
    Config c;
    const auto* ovs_table = r.table("Open_vSwitch");
    if (!ovs_table || ovs_table->empty()) return c;
    // maxRows is 1; take the first by UUID if a server ever gives more.
    const Row* root = ovs_table->sorted().front();
    c.root = root->uuid();
    c.next_cfg = root->integer("next_cfg").value_or(0);
    auto oc = root->smap("other_config");
    c.max_idle = std::chrono::milliseconds(int_option<long long>(oc, "max-idle", 10000, 500, 1LL << 40));
    c.stats_interval = std::chrono::milliseconds(
        int_option<long long>(oc, "stats-update-interval", 5000, 5000, 1LL << 40));
    c.flow_limit = int_option<size_t>(oc, "flow-limit", 200000, 0, 1LL << 32);

    std::set<std::string> iface_names, port_names;
    for (const Row* br : referenced(r, *root, "bridges", "Bridge")) {
        BridgeConfig b;
        b.uuid = br->uuid();
        b.name = br->string("name");
        if (b.name.empty() || c.bridges.count(b.name)) {
            c.warnings.push_back("bridge " + b.name + " specified twice, ignoring " + b.uuid.to_string());
            continue;
        }
        b.datapath_type = br->string("datapath_type");
        b.fail_secure = br->string("fail_mode") == "secure";
        for (const Row* ctl : referenced(r, *br, "controller", "Controller"))
            b.controllers.push_back(ctl->string("target"));
        auto boc = br->smap("other_config");
        b.forward_bpdu = boc.count("forward-bpdu") && boc.at("forward-bpdu") == "true";
        b.mac_aging = std::chrono::seconds(int_option<long long>(
            boc, "mac-aging-time", MacLearning::kDefaultAging.count(), 1, 1LL << 31));
        b.mac_table_size = int_option<size_t>(boc, "mac-table-size", MacLearning::kDefaultMaxEntries, 1,
                                              1LL << 24);
        if (auto it = boc.find("hwaddr"); it != boc.end()) {
            auto m = mac_from_string(it->second);
            if (m && !is_multicast(*m) && *m != Mac{})
                b.hwaddr = m;
            else
                c.warnings.push_back("bridge " + b.name + ": ignoring invalid other_config:hwaddr \"" +
                                     it->second + "\"");
        }
        if (auto it = boc.find("datapath-id"); it != boc.end()) {
            b.datapath_id = parse_datapath_id(it->second);
            if (!b.datapath_id)
                c.warnings.push_back("bridge " + b.name + ": ignoring invalid other_config:datapath-id \"" +
                                     it->second + "\"");
        }

        for (const Row* pr : referenced(r, *br, "ports", "Port")) {
            PortConfig p;
            p.uuid = pr->uuid();
            p.name = pr->string("name");
            if (port_names.count(p.name)) {
                c.warnings.push_back("bridge " + b.name + ": port " + p.name +
                                     " is already configured, ignoring");
                continue;
            }
            p.vlan = PortVlan::configure(pr->integer("tag"), pr->integers("trunks"), pr->string("vlan_mode"),
                                         &p.vlan_warning);
            for (const Row* ir : referenced(r, *pr, "interfaces", "Interface")) {
                InterfaceConfig i;
                i.uuid = ir->uuid();
                i.name = ir->string("name");
                if (iface_names.count(i.name)) {
                    c.warnings.push_back("bridge " + b.name + ": interface " + i.name +
                                         " is already configured, ignoring it on port " + p.name);
                    continue;
                }
                i.type = ir->string("type");
                i.mtu_request = ir->integer("mtu_request");
                i.ofport_request = ir->integer("ofport_request");
                std::string mac = ir->string("mac");
                if (!mac.empty()) {
                    i.mac = mac_from_string(mac);
                    if (!i.mac)
                        c.warnings.push_back("interface " + i.name + ": ignoring invalid mac \"" + mac + "\"");
                }
                i.options = ir->smap("options");
                iface_names.insert(i.name);
                p.interfaces.push_back(std::move(i));
            }
            if (p.interfaces.empty()) {
                c.warnings.push_back("bridge " + b.name + ": port " + p.name + " has no interfaces, dropping");
                continue;
            }
            port_names.insert(p.name);
            b.ports.emplace(p.name, std::move(p));
        }
        c.bridges.emplace(b.name, std::move(b));
    }
    return c;
}

}  // namespace vswitchd
