#include "utilities/vsctl/commands.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <set>
#include <sstream>
#include <strings.h>

#include "common/stream.hpp"
#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(vsctl);

namespace {
// Open vSwitch logs the generic database commands' warnings under this name.
vlog::Module db_ctl_base_module("db_ctl_base");
}

namespace vsctl {

namespace {

using Bridge = Context::Bridge;
using Port = Context::Port;
using Iface = Context::Iface;

Datum str(const std::string& s) { return Datum::scalar(Atom(s)); }
Datum uuids(const std::vector<Uuid>& v) {
    std::vector<Atom> keys;
    for (const auto& u : v) keys.emplace_back(u);
    Datum d(std::move(keys), {});
    d.sort_unique(false);
    return d;
}
Datum empty_set() { return Datum(); }
Datum empty_map() {
    Datum d;
    d.set_map(true);
    return d;
}

std::string sorted_lines(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

// The command as typed, for messages ("--may-exist add-br br0 ...").
std::string command_string(const Command& c) {
    std::string s;
    for (const auto& [k, v] : c.options) s += k + (v ? "=" + *v : "") + " ";
    for (size_t i = 0; i < c.argv.size(); ++i) s += (i ? " " : "") + c.argv[i];
    return s;
}

void insert_ref(Context& ctx, VRow* row, const std::string& column, const Uuid& u) {
    auto refs = row->refs(column);
    refs.push_back(u);
    ctx.view.set(row, column, uuids(refs));
}

void delete_ref(Context& ctx, VRow* row, const std::string& column, const Uuid& u) {
    auto refs = row->refs(column);
    refs.erase(std::remove(refs.begin(), refs.end(), u), refs.end());
    ctx.view.set(row, column, uuids(refs));
}

// ---------------------------------------------------------------- Open vSwitch

void cmd_init(Context&, Command&) {}

void cmd_emer_reset(Context& ctx, Command&) {
    View& v = ctx.view;
    v.set(ctx.ovs, "manager_options", empty_set());
    v.set(ctx.ovs, "ssl", empty_set());
    for (VRow* br : v.rows("Bridge")) {
        v.set(br, "controller", empty_set());
        v.set(br, "fail_mode", empty_set());
        v.set(br, "mirrors", empty_set());
        v.set(br, "netflow", empty_set());
        v.set(br, "sflow", empty_set());
        v.set(br, "ipfix", empty_set());
        v.set(br, "flood_vlans", empty_set());
        // Of other_config only "hwaddr" is kept.
        Datum keep = empty_map();
        const Datum& oc = br->get("other_config");
        long i = oc.find(Atom(std::string("hwaddr")));
        if (i >= 0) {
            keep = Datum({oc.keys()[static_cast<size_t>(i)]}, {oc.values()[static_cast<size_t>(i)]});
            keep.set_map(true);
        }
        v.set(br, "other_config", keep);
    }
    for (VRow* p : v.rows("Port")) v.set(p, "other_config", empty_map());
    for (VRow* i : v.rows("Interface")) {
        v.set(i, "ingress_policing_rate", Datum::scalar(Atom(int64_t{0})));
        v.set(i, "ingress_policing_burst", Datum::scalar(Atom(int64_t{0})));
    }
    for (const char* t : {"Mirror", "Controller", "Manager", "NetFlow", "SSL", "sFlow", "IPFIX",
                          "Flow_Sample_Collector_Set"})
        if (v.schema().table(t))
            for (VRow* r : v.rows(t)) v.remove(r);
    ctx.invalidate_cache();
}

// ---------------------------------------------------------------- bridges

void cmd_add_br(Context& ctx, Command& c) {
    bool may_exist = c.has("--may-exist");
    const std::string& name = c.argv[1];
    if (name.empty()) throw Fatal("bridge name must not be empty string");
    std::string parent_name;
    int vlan = 0;
    if (c.argv.size() == 4) {
        parent_name = c.argv[2];
        vlan = std::atoi(c.argv[3].c_str());
        if (vlan < 0 || vlan > 4095) throw Fatal(c.argv[0] + ": vlan must be between 0 and 4095");
    } else if (c.argv.size() != 2) {
        throw Fatal("'" + c.argv[0] + "' command takes exactly 1 or 3 arguments");
    }
    ctx.populate_cache();
    if (may_exist) {
        if (Bridge* br = ctx.find_bridge(name, false)) {
            if (parent_name.empty()) {
                if (br->parent)
                    throw Fatal("\"--may-exist add-br " + name + "\" but " + name + " is a VLAN bridge for VLAN " +
                                std::to_string(br->vlan));
            } else {
                std::string cmd = "\"--may-exist add-br " + name + " " + parent_name + " " + std::to_string(vlan) + "\"";
                if (!br->parent) throw Fatal(cmd + " but " + name + " is not a VLAN bridge");
                if (br->parent->name != parent_name)
                    throw Fatal(cmd + " but " + name + " has the wrong parent " + br->parent->name);
                if (br->vlan != vlan)
                    throw Fatal(cmd + " but " + name + " is a VLAN bridge for the wrong VLAN " + std::to_string(br->vlan));
            }
            return;
        }
    }
    ctx.check_conflicts(name, "cannot create a bridge named " + name);
    View& v = ctx.view;
    VRow* iface = v.insert("Interface");
    v.set(iface, "name", str(name));
    v.set(iface, "type", str("internal"));
    VRow* port = v.insert("Port");
    v.set(port, "name", str(name));
    v.set(port, "interfaces", uuids({iface->uuid}));
    if (parent_name.empty()) {
        VRow* br = v.insert("Bridge");
        v.set(br, "name", str(name));
        v.set(br, "ports", uuids({port->uuid}));
        insert_ref(ctx, ctx.ovs, "bridges", br->uuid);
    } else {
        Bridge* parent = ctx.find_bridge(parent_name, false);
        if (parent && parent->parent) throw Fatal("cannot create bridge with fake bridge as parent");
        if (!parent) throw Fatal("parent bridge " + parent_name + " does not exist");
        if (auto it = parent->children.find(vlan); it != parent->children.end())
            throw Fatal("bridge " + parent_name + " already has a child VLAN bridge " + it->second->name +
                        " on VLAN " + std::to_string(vlan));
        v.set(port, "fake_bridge", Datum::scalar(Atom(true)));
        v.set(port, "tag", Datum::scalar(Atom(int64_t{vlan})));
        insert_ref(ctx, parent->cfg, "ports", port->uuid);
    }
    ctx.invalidate_cache();
}

void del_port(Context& ctx, Port* port) {
    VRow* br = port->bridge->parent ? port->bridge->parent->cfg : port->bridge->cfg;
    delete_ref(ctx, br, "ports", port->cfg->uuid);
    for (Iface* i : port->ifaces) ctx.view.remove(i->cfg);
    ctx.view.remove(port->cfg);
}

void del_bridge(Context& ctx, Bridge* br) {
    for (auto& [vlan, child] : br->children) del_bridge(ctx, child);
    for (Port* p : br->ports) del_port(ctx, p);
    if (br->cfg) {
        if (ctx.view.schema().table("Flow_Sample_Collector_Set"))
            for (VRow* f : ctx.view.rows("Flow_Sample_Collector_Set"))
                if (f->refs("bridge") == std::vector<Uuid>{br->cfg->uuid}) ctx.view.remove(f);
        delete_ref(ctx, ctx.ovs, "bridges", br->cfg->uuid);
        ctx.view.remove(br->cfg);
    }
}

void cmd_del_br(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], !c.has("--if-exists"));
    if (br) {
        del_bridge(ctx, br);
        ctx.invalidate_cache();
    }
}

void cmd_list_br(Context& ctx, Command& c) {
    bool real = c.has("--real"), fake = c.has("--fake");
    if (!real && !fake) real = fake = true;
    ctx.populate_cache();
    std::vector<std::string> names;
    for (auto& [n, b] : ctx.bridges())
        if (b->parent ? fake : real) names.push_back(n);
    c.output += sorted_lines(names);
}

void cmd_br_exists(Context& ctx, Command& c) {
    if (!ctx.find_bridge(c.argv[1], false)) throw Exit{2};
}

void cmd_br_to_vlan(Context& ctx, Command& c) {
    c.output += std::to_string(ctx.find_bridge(c.argv[1], true)->vlan) + "\n";
}

void cmd_br_to_parent(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    c.output += (br->parent ? br->parent->name : br->name) + "\n";
}

VRow* fake_bridge_port(Context& ctx, Bridge* br) {
    for (VRow* p : ctx.view.rows("Port"))
        if (p->string("name") == br->name) return p;
    return nullptr;
}

void cmd_br_set_external_id(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    VRow* row = br->cfg ? br->cfg : fake_bridge_port(ctx, br);
    std::string key = (br->cfg ? "" : "fake-bridge-") + c.argv[2];
    Datum d = row->get("external_ids");
    Datum k({Atom(key)}, {});
    d.remove_all(k, false);
    if (c.argv.size() >= 4) {
        Datum add({Atom(key)}, {Atom(c.argv[3])});
        add.set_map(true);
        d.insert_all(add);
    }
    d.set_map(true);
    ctx.view.verify(row, "external_ids");
    ctx.view.set(row, "external_ids", d);
}

void cmd_br_get_external_id(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    VRow* row = br->cfg ? br->cfg : fake_bridge_port(ctx, br);
    std::string prefix = br->cfg ? "" : "fake-bridge-";
    ctx.view.verify(row, "external_ids");
    const Datum& d = row->get("external_ids");
    if (c.argv.size() >= 3) {
        long i = d.find(Atom(prefix + c.argv[2]));
        if (i >= 0) c.output += d.values()[static_cast<size_t>(i)].string() + "\n";
        return;
    }
    for (size_t i = 0; i < d.size(); ++i) {
        const std::string& k = d.keys()[i].string();
        if (k.compare(0, prefix.size(), prefix) == 0)
            c.output += k.substr(prefix.size()) + "=" + d.values()[i].string() + "\n";
    }
}

// ---------------------------------------------------------------- ports

void cmd_list_ports(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    ctx.view.verify(br->cfg ? br->cfg : br->parent->cfg, "ports");
    std::vector<std::string> names;
    for (Port* p : br->ports)
        if (p->cfg->string("name") != br->name) names.push_back(p->cfg->string("name"));
    c.output += sorted_lines(names);
}

void add_port(Context& ctx, Command& c, const std::string& br_name, const std::string& port_name, bool may_exist,
              bool fake_iface, const std::vector<std::string>& iface_names, const std::vector<std::string>& settings) {
    if (port_name.empty()) throw Fatal("port name must not be empty string");
    for (const auto& n : iface_names)
        if (n.empty()) throw Fatal("interface name must not be empty string");
    ctx.populate_cache();
    if (may_exist) {
        if (Port* p = ctx.find_port(port_name, false)) {
            std::vector<std::string> want(iface_names), have;
            for (Iface* i : p->ifaces) have.push_back(i->cfg->string("name"));
            std::sort(want.begin(), want.end());
            std::sort(have.begin(), have.end());
            if (p->bridge->name != br_name)
                throw Fatal("\"" + command_string(c) + "\" but " + port_name + " is actually attached to bridge " +
                            p->bridge->name);
            if (want != have) {
                std::string h;
                for (size_t i = 0; i < have.size(); ++i) h += (i ? ", " : "") + have[i];
                throw Fatal("\"" + command_string(c) + "\" but " + port_name + " actually has interface(s) " + h);
            }
            return;
        }
    }
    ctx.check_conflicts(port_name, "cannot create a port named " + port_name);
    for (const auto& n : iface_names) ctx.check_conflicts(n, "cannot create an interface named " + n);
    Bridge* br = ctx.find_bridge(br_name, true);
    View& v = ctx.view;
    std::vector<Uuid> ifaces;
    for (const auto& n : iface_names) {
        VRow* i = v.insert("Interface");
        v.set(i, "name", str(n));
        ifaces.push_back(i->uuid);
    }
    VRow* port = v.insert("Port");
    v.set(port, "name", str(port_name));
    v.set(port, "interfaces", uuids(ifaces));
    if (fake_iface) v.set(port, "bond_fake_iface", Datum::scalar(Atom(true)));
    if (br->parent) v.set(port, "tag", Datum::scalar(Atom(int64_t{br->vlan})));
    for (const auto& s : settings) ctx.set_column(port, s);
    insert_ref(ctx, br->parent ? br->parent->cfg : br->cfg, "ports", port->uuid);
    ctx.invalidate_cache();
}

void cmd_add_port(Context& ctx, Command& c) {
    add_port(ctx, c, c.argv[1], c.argv[2], c.has("--may-exist"), false, {c.argv[2]},
             {c.argv.begin() + 3, c.argv.end()});
}

void cmd_add_bond(Context& ctx, Command& c) {
    size_t n_ifaces = c.argv.size() - 3;
    for (size_t i = 3; i < c.argv.size(); ++i)
        if (c.argv[i].find('=') != std::string::npos) {
            n_ifaces = i - 3;
            break;
        }
    if (n_ifaces < 2)
        throw Fatal("add-bond requires at least 2 interfaces, but only " + std::to_string(n_ifaces) +
                    " were specified");
    add_port(ctx, c, c.argv[1], c.argv[2], c.has("--may-exist"), c.has("--fake-iface"),
             {c.argv.begin() + 3, c.argv.begin() + 3 + static_cast<long>(n_ifaces)},
             {c.argv.begin() + 3 + static_cast<long>(n_ifaces), c.argv.end()});
}

void cmd_add_bond_iface(Context& ctx, Command& c) {
    Port* port = ctx.find_port(c.argv[1], true);
    const std::string& name = c.argv[2];
    if (c.has("--may-exist")) {
        if (Iface* i = ctx.find_iface(name, false)) {
            if (i->port == port) return;
            throw Fatal("\"" + command_string(c) + "\" but " + name + " is actually attached to port " +
                        i->port->cfg->string("name"));
        }
    }
    ctx.check_conflicts(name, "cannot create an interface named " + name);
    VRow* i = ctx.view.insert("Interface");
    ctx.view.set(i, "name", str(name));
    insert_ref(ctx, port->cfg, "interfaces", i->uuid);
    ctx.invalidate_cache();
}

void cmd_del_bond_iface(Context& ctx, Command& c) {
    const std::string& name = c.argv.back();
    Iface* iface = ctx.find_iface(name, !c.has("--if-exists"));
    if (!iface) return;
    if (c.argv.size() > 2) {
        Port* port = ctx.find_port(c.argv[1], true);
        if (iface->port != port) throw Fatal("port " + c.argv[1] + " does not have an interface " + name);
    }
    if (iface->port->ifaces.size() <= 1)
        throw Fatal("cannot delete last interface from port " + iface->port->cfg->string("name"));
    delete_ref(ctx, iface->port->cfg, "interfaces", iface->cfg->uuid);
    ctx.view.remove(iface->cfg);
    ctx.invalidate_cache();
}

void cmd_del_port(Context& ctx, Command& c) {
    bool must_exist = !c.has("--if-exists");
    const std::string& target = c.argv.back();
    Port* port = nullptr;
    if (ctx.find_bridge(target, false)) {
        if (must_exist)
            throw Fatal("cannot delete port " + target + " because it is the local port for bridge " + target +
                        " (deleting this port requires deleting the entire bridge)");
    } else if (!c.has("--with-iface")) {
        port = ctx.find_port(target, must_exist);
    } else {
        port = ctx.find_port(target, false);
        if (!port)
            if (Iface* i = ctx.find_iface(target, false)) port = i->port;
        if (must_exist && !port) throw Fatal("no port or interface named " + target);
    }
    if (!port) return;
    if (c.argv.size() == 3) {
        Bridge* br = ctx.find_bridge(c.argv[1], true);
        if (port->bridge != br) {
            if (port->bridge->parent == br)
                throw Fatal("bridge " + c.argv[1] + " does not have a port " + c.argv[2] + " (although its child bridge " +
                            port->bridge->name + " does)");
            throw Fatal("bridge " + c.argv[1] + " does not have a port " + c.argv[2]);
        }
    }
    del_port(ctx, port);
    ctx.invalidate_cache();
}

void cmd_port_to_br(Context& ctx, Command& c) {
    c.output += ctx.find_port(c.argv[1], true)->bridge->name + "\n";
}

void cmd_list_ifaces(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    ctx.verify_ports();
    std::vector<std::string> names;
    for (Port* p : br->ports)
        for (Iface* i : p->ifaces)
            if (i->cfg->string("name") != br->name) names.push_back(i->cfg->string("name"));
    c.output += sorted_lines(names);
}

void cmd_iface_to_br(Context& ctx, Command& c) {
    c.output += ctx.find_iface(c.argv[1], true)->port->bridge->name + "\n";
}

// ---------------------------------------------------------------- controllers, fail mode

void verify_controllers(Context& ctx, VRow* br) {
    ctx.view.verify(br, "controller");
    for (const Uuid& u : br->refs("controller"))
        if (VRow* r = ctx.view.find("Controller", u)) ctx.view.verify(r, "target");
}

void cmd_get_controller(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    if (br->parent) br = br->parent;
    verify_controllers(ctx, br->cfg);
    std::vector<std::string> targets;
    for (const Uuid& u : br->cfg->refs("controller"))
        if (VRow* r = ctx.view.find("Controller", u)) targets.push_back(r->string("target"));
    c.output += sorted_lines(targets);
}

void delete_rows(Context& ctx, const std::string& table, const std::vector<Uuid>& refs) {
    for (const Uuid& u : refs)
        if (VRow* r = ctx.view.find(table, u)) ctx.view.remove(r);
}

void cmd_del_controller(Context& ctx, Command& c) {
    VRow* br = ctx.find_real_bridge(c.argv[1], true)->cfg;
    verify_controllers(ctx, br);
    auto refs = br->refs("controller");
    if (!refs.empty()) {
        delete_rows(ctx, "Controller", refs);
        ctx.view.set(br, "controller", empty_set());
    }
}

std::vector<Uuid> insert_targets(Context& ctx, Command& c, const std::string& table,
                                 const std::vector<std::string>& targets) {
    std::vector<Uuid> out;
    auto probe = c.option("--inactivity-probe");
    for (const auto& t : targets) {
        if (!common::is_stream_name(t)) VLOG_WARN("target type \"%s\" is possibly erroneous", t.c_str());
        VRow* r = ctx.view.insert(table);
        ctx.view.set(r, "target", str(t));
        if (probe) ctx.view.set(r, "inactivity_probe", Datum::scalar(Atom(int64_t{std::atoll(probe->c_str())})));
        out.push_back(r->uuid);
    }
    return out;
}

void cmd_set_controller(Context& ctx, Command& c) {
    VRow* br = ctx.find_real_bridge(c.argv[1], true)->cfg;
    verify_controllers(ctx, br);
    delete_rows(ctx, "Controller", br->refs("controller"));
    ctx.view.set(br, "controller", uuids(insert_targets(ctx, c, "Controller", {c.argv.begin() + 2, c.argv.end()})));
}

void cmd_get_fail_mode(Context& ctx, Command& c) {
    Bridge* br = ctx.find_bridge(c.argv[1], true);
    if (br->parent) br = br->parent;
    ctx.view.verify(br->cfg, "fail_mode");
    std::string mode = br->cfg->string("fail_mode");
    if (!mode.empty()) c.output += mode + "\n";
}

void cmd_del_fail_mode(Context& ctx, Command& c) {
    ctx.view.set(ctx.find_real_bridge(c.argv[1], true)->cfg, "fail_mode", empty_set());
}

void cmd_set_fail_mode(Context& ctx, Command& c) {
    Bridge* br = ctx.find_real_bridge(c.argv[1], true);
    const std::string& mode = c.argv[2];
    if (mode != "standalone" && mode != "secure") throw Fatal("fail-mode must be \"standalone\" or \"secure\"");
    ctx.view.set(br->cfg, "fail_mode", str(mode));
}

// ---------------------------------------------------------------- managers, SSL

void verify_managers(Context& ctx) {
    ctx.view.verify(ctx.ovs, "manager_options");
    for (const Uuid& u : ctx.ovs->refs("manager_options"))
        if (VRow* r = ctx.view.find("Manager", u)) ctx.view.verify(r, "target");
}

void cmd_get_manager(Context& ctx, Command& c) {
    verify_managers(ctx);
    std::set<std::string> targets;
    for (const Uuid& u : ctx.ovs->refs("manager_options"))
        if (VRow* r = ctx.view.find("Manager", u)) targets.insert(r->string("target"));
    for (const auto& t : targets) c.output += t + "\n";
}

void delete_managers(Context& ctx) {
    delete_rows(ctx, "Manager", ctx.ovs->refs("manager_options"));
    ctx.view.set(ctx.ovs, "manager_options", empty_set());
}

void cmd_del_manager(Context& ctx, Command&) {
    verify_managers(ctx);
    delete_managers(ctx);
}

void cmd_set_manager(Context& ctx, Command& c) {
    verify_managers(ctx);
    delete_managers(ctx);
    ctx.view.set(ctx.ovs, "manager_options",
                 uuids(insert_targets(ctx, c, "Manager", {c.argv.begin() + 1, c.argv.end()})));
}

VRow* ssl_row(Context& ctx) {
    auto refs = ctx.ovs->refs("ssl");
    return refs.empty() ? nullptr : ctx.view.find("SSL", refs[0]);
}

void cmd_get_ssl(Context& ctx, Command& c) {
    ctx.view.verify(ctx.ovs, "ssl");
    if (VRow* ssl = ssl_row(ctx)) {
        for (const char* col : {"private_key", "certificate", "ca_cert", "bootstrap_ca_cert"})
            ctx.view.verify(ssl, col);
        c.output += "Private key: " + ssl->string("private_key") + "\n";
        c.output += "Certificate: " + ssl->string("certificate") + "\n";
        c.output += "CA Certificate: " + ssl->string("ca_cert") + "\n";
        const Datum& b = ssl->get("bootstrap_ca_cert");
        c.output += std::string("Bootstrap: ") + (!b.empty() && b.keys()[0].boolean() ? "true" : "false") + "\n";
    }
}

void cmd_del_ssl(Context& ctx, Command&) {
    if (VRow* ssl = ssl_row(ctx)) {
        ctx.view.verify(ctx.ovs, "ssl");
        ctx.view.remove(ssl);
        ctx.view.set(ctx.ovs, "ssl", empty_set());
    }
}

void cmd_set_ssl(Context& ctx, Command& c) {
    ctx.view.verify(ctx.ovs, "ssl");
    if (VRow* old = ssl_row(ctx)) ctx.view.remove(old);
    VRow* ssl = ctx.view.insert("SSL");
    ctx.view.set(ssl, "private_key", str(c.argv[1]));
    ctx.view.set(ssl, "certificate", str(c.argv[2]));
    ctx.view.set(ssl, "ca_cert", str(c.argv[3]));
    ctx.view.set(ssl, "bootstrap_ca_cert", Datum::scalar(Atom(c.has("--bootstrap"))));
    ctx.view.set(ctx.ovs, "ssl", uuids({ssl->uuid}));
}

// ---------------------------------------------------------------- show

struct ShowTable {
    const char* table;
    const char* name_column;
    std::vector<const char*> columns;
};

const std::vector<ShowTable>& show_tables() {
    static const std::vector<ShowTable> t = {
        {"Open_vSwitch", nullptr, {"manager_options", "bridges", "ovs_version"}},
        {"Bridge", "name", {"controller", "fail_mode", "datapath_type", "ports"}},
        {"Port", "name", {"tag", "trunks", "interfaces"}},
        {"Interface", "name", {"type", "options", "error", "bfd_status"}},
        {"Controller", "target", {"is_connected"}},
        {"Manager", "target", {"is_connected"}},
    };
    return t;
}

const ShowTable* show_table(const std::string& name) {
    for (const auto& s : show_tables())
        if (name == s.table) return &s;
    return nullptr;
}

void show_row(Context& ctx, VRow* row, int level, std::set<std::string>& shown, std::string& out) {
    const ShowTable* show = show_table(row->table->name);
    out.append(static_cast<size_t>(level) * 4, ' ');
    if (show && show->name_column) {
        out += row->table->name + " " +
               datum_to_string(row->get(show->name_column), row->table->column(show->name_column)->type);
    } else {
        out += row->uuid.to_string();
    }
    out += '\n';
    if (!show || shown.count(show->table)) return;
    shown.insert(show->table);
    for (const char* cname : show->columns) {
        const ovsdb::ColumnSchema* col = row->table->column(cname);
        if (!col) continue;
        const Datum& d = row->get(cname);
        if (col->type.key.is_ref()) {
            if (show_table(col->type.key.ref_table)) {
                for (const auto& a : d.keys())
                    if (VRow* r = ctx.view.find(col->type.key.ref_table, a.uuid())) show_row(ctx, r, level + 1, shown, out);
                continue;
            }
        }
        if (!(d == Datum::default_for(col->type))) {
            out.append(static_cast<size_t>(level + 1) * 4, ' ');
            out += std::string(cname) + ": " + datum_to_string(d, col->type) + "\n";
        }
    }
    shown.erase(show->table);
}

void cmd_show(Context& ctx, Command& c) {
    std::set<std::string> shown;
    for (VRow* r : ctx.view.rows("Open_vSwitch")) show_row(ctx, r, 0, shown, c.output);
}

// ---------------------------------------------------------------- database commands

std::vector<const ovsdb::ColumnSchema*> parse_columns(Context& ctx, const ovsdb::TableSchema& t,
                                                      const std::optional<std::string>& names) {
    std::vector<const ovsdb::ColumnSchema*> cols;   // nullptr: _uuid
    if (!names) {
        cols.push_back(nullptr);
        for (const auto& c : t.columns) cols.push_back(&c);
        return cols;
    }
    std::string s = *names;
    for (char& ch : s)
        if (ch == ',') ch = ' ';
    std::istringstream in(s);
    for (std::string n; in >> n;) {
        if (strcasecmp(n.c_str(), "_uuid") == 0) cols.push_back(nullptr);
        else cols.push_back(&ctx.get_column(t, n));
    }
    if (cols.empty()) throw Fatal("must specify at least one column name");
    return cols;
}

OutTable make_table(const std::vector<const ovsdb::ColumnSchema*>& cols) {
    OutTable t;
    for (auto* c : cols) t.headings.push_back(c ? c->name : "_uuid");
    return t;
}

void add_record(OutTable& t, const std::vector<const ovsdb::ColumnSchema*>& cols, VRow* row) {
    static const ovsdb::Type uuid_type = [] {
        ovsdb::Type ty;
        ty.key.type = ovsdb::AtomicType::Uuid;
        return ty;
    }();
    std::vector<Cell> cells;
    for (auto* c : cols) {
        if (!c) cells.push_back({Datum::scalar(Atom(row->uuid)), uuid_type});
        else cells.push_back({row->get(c->name), c->type});
    }
    t.rows.push_back(std::move(cells));
}

void cmd_list(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    auto cols = parse_columns(ctx, t, c.option("--columns"));
    OutTable out = make_table(cols);
    if (c.argv.size() > 2) {
        for (size_t i = 2; i < c.argv.size(); ++i)
            if (VRow* r = ctx.get_row(t, c.argv[i], !c.has("--if-exists"))) add_record(out, cols, r);
    } else {
        for (VRow* r : ctx.view.rows(t.name)) add_record(out, cols, r);
    }
    c.table = std::move(out);
}

// COLUMN[:KEY]{=,!=,<,>,<=,>=,{=},{!=},{<},{>},{<=},{>=},{in},{not-in}}VALUE
bool check_condition(Context& ctx, const ovsdb::TableSchema& t, VRow* row, const std::string& arg) {
    static const std::vector<std::string> ops = {"=",   "!=",   "<",   ">",    "<=",   ">=",   "{=}",
                                                 "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"};
    const char* p = arg.c_str();
    std::string cname = parse_token(&p);
    if (cname.empty()) throw Fatal(arg + ": missing column name");
    const ovsdb::ColumnSchema& col = ctx.get_column(t, cname);
    std::optional<std::string> key;
    if (*p == ':') {
        ++p;
        key = parse_token(&p);
    }
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < ops.size(); ++i)
        if (ops[i].size() > best_len && std::strncmp(ops[i].c_str(), p, ops[i].size()) == 0 && p[ops[i].size()]) {
            best = static_cast<int>(i);
            best_len = ops[i].size();
        }
    if (best < 0) {
        std::string m = arg + ": argument does not end in \"=\"";
        for (size_t i = 1; i + 1 < ops.size(); ++i) m += ", \"" + ops[i] + "\"";
        m += ", or \"" + ops.back() + "\" followed by a value.";
        throw Fatal(m);
    }
    std::string value = p + best_len;
    ovsdb::Type type = col.type;
    type.max = ovsdb::Type::kUnlimited;
    auto res = ctx.resolver();
    Datum a, b;
    bool set_op = best >= 6;
    if (key) {
        if (!col.type.is_map()) throw Fatal("cannot specify key to check for non-map column " + col.name);
        Atom k = atom_from_string(col.type.key, *key, &res);
        type.key = *col.type.value;
        type.value.reset();
        b = datum_from_string(type, value, &res);
        const Datum& have = row->get(col.name);
        long i = have.find(k);
        if (i < 0 && !set_op) return false;
        if (i >= 0) a = Datum::scalar(have.values()[static_cast<size_t>(i)]);
    } else {
        a = row->get(col.name);
        b = datum_from_string(col.type.is_map() ? [&] { ovsdb::Type ty = col.type; ty.max = ovsdb::Type::kUnlimited; return ty; }() : type, value, &res);
    }
    auto cmp = [](const Datum& x, const Datum& y) {
        if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
        if (x.keys() != y.keys()) return x.keys() < y.keys() ? -1 : 1;
        if (x.values() != y.values()) return x.values() < y.values() ? -1 : 1;
        return 0;
    };
    switch (best) {
    case 0: case 6: return cmp(a, b) == 0;
    case 1: case 7: return cmp(a, b) != 0;
    case 2: return cmp(a, b) < 0;
    case 3: return cmp(a, b) > 0;
    case 4: return cmp(a, b) <= 0;
    case 5: return cmp(a, b) >= 0;
    case 8: return b.size() > a.size() && b.contains(a);
    case 9: return a.size() > b.size() && a.contains(b);
    case 10: case 12: return b.contains(a);
    case 11: return a.contains(b);
    case 13: return a.disjoint(b);
    }
    return false;
}

void cmd_find(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    auto cols = parse_columns(ctx, t, c.option("--columns"));
    OutTable out = make_table(cols);
    for (VRow* r : ctx.view.rows(t.name)) {
        bool ok = true;
        for (size_t i = 2; i < c.argv.size() && ok; ++i) ok = check_condition(ctx, t, r, c.argv[i]);
        if (ok) add_record(out, cols, r);
    }
    c.table = std::move(out);
}

void cmd_get(Context& ctx, Command& c) {
    auto id = c.option("--id");
    bool must_exist = !c.has("--if-exists");
    if (id && !must_exist) throw Fatal("--if-exists and --id may not be specified together");
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    VRow* row = ctx.get_row(t, c.argv[2], must_exist);
    if (!row) return;
    if (id) {
        bool is_new = false;
        Symbol& s = ctx.create_symbol(*id, &is_new);
        if (!is_new) throw Fatal("row id \"" + *id + "\" specified on \"get\" command was used before it was defined");
        s.uuid = row->uuid;
        s.strong_ref = true;
    }
    for (size_t i = 3; i < c.argv.size(); ++i) {
        const std::string& arg = c.argv[i];
        if (strcasecmp(arg.c_str(), "_uuid") == 0 || strcasecmp(arg.c_str(), "-uuid") == 0) {
            c.output += row->uuid.to_string() + "\n";
            continue;
        }
        const char* p = arg.c_str();
        std::string cname = parse_token(&p);
        if (cname.empty()) throw Fatal(arg + ": missing column name");
        const ovsdb::ColumnSchema& col = ctx.get_column(t, cname);
        std::optional<std::string> key;
        if (*p == ':') {
            ++p;
            key = parse_token(&p);
        }
        if (*p) throw Fatal(arg + ": trailing garbage \"" + p + "\" in argument");
        ctx.view.verify(row, col.name);
        const Datum& d = row->get(col.name);
        if (key) {
            if (!col.type.is_map()) throw Fatal("cannot specify key to get for non-map column " + col.name);
            auto res = ctx.resolver();
            long k = d.find(atom_from_string(col.type.key, *key, &res));
            if (k < 0) {
                if (must_exist)
                    throw Fatal("no key \"" + *key + "\" in " + t.name + " record \"" + c.argv[2] + "\" column " +
                                col.name);
            } else {
                c.output += atom_to_string(d.values()[static_cast<size_t>(k)]);
            }
        } else {
            c.output += datum_to_string(d, col.type);
        }
        c.output += "\n";
    }
}

void cmd_set(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    VRow* row = ctx.get_row(t, c.argv[2], !c.has("--if-exists"));
    if (!row) return;
    for (size_t i = 3; i < c.argv.size(); ++i) ctx.set_column(row, c.argv[i]);
    ctx.invalidate_cache();
}

void cmd_add(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    const ovsdb::ColumnSchema& col = ctx.get_column(t, c.argv[3]);
    VRow* row = ctx.get_row(t, c.argv[2], !c.has("--if-exists"));
    if (!row) return;
    Context::check_mutable(row, col);
    Datum d = row->get(col.name);
    ovsdb::Type add_type = col.type;
    add_type.min = 1;
    add_type.max = ovsdb::Type::kUnlimited;
    auto res = ctx.resolver();
    for (size_t i = 4; i < c.argv.size(); ++i) d.insert_all(datum_from_string(add_type, c.argv[i], &res));
    if (d.size() > col.type.max)
        throw Fatal("\"add\" operation would put " + std::to_string(d.size()) + (col.type.is_map() ? " pairs" : " values") +
                    " in column " + col.name + " of table " + t.name + " but the maximum number is " +
                    std::to_string(col.type.max));
    ctx.view.verify(row, col.name);
    ctx.view.set(row, col.name, d);
    ctx.invalidate_cache();
}

void cmd_remove(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    const ovsdb::ColumnSchema& col = ctx.get_column(t, c.argv[3]);
    VRow* row = ctx.get_row(t, c.argv[2], !c.has("--if-exists"));
    if (!row) return;
    Context::check_mutable(row, col);
    Datum d = row->get(col.name);
    ovsdb::Type rm_type = col.type;
    rm_type.min = 1;
    rm_type.max = ovsdb::Type::kUnlimited;
    auto res = ctx.resolver();
    for (size_t i = 4; i < c.argv.size(); ++i) {
        try {
            d.remove_all(datum_from_string(rm_type, c.argv[i], &res), true);
        } catch (const ParseError&) {
            if (!rm_type.is_map()) throw;
            ovsdb::Type keys = rm_type;
            keys.value.reset();
            d.remove_all(datum_from_string(keys, c.argv[i], &res), false);
        }
    }
    if (d.size() < col.type.min)
        throw Fatal("\"remove\" operation would put " + std::to_string(d.size()) +
                    (col.type.is_map() ? " pairs" : " values") + " in column " + col.name + " of table " + t.name +
                    " but the minimum number is " + std::to_string(col.type.min));
    d.set_map(col.type.is_map());
    ctx.view.verify(row, col.name);
    ctx.view.set(row, col.name, d);
    ctx.invalidate_cache();
}

void cmd_clear(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    VRow* row = ctx.get_row(t, c.argv[2], !c.has("--if-exists"));
    if (!row) return;
    for (size_t i = 3; i < c.argv.size(); ++i) {
        const ovsdb::ColumnSchema& col = ctx.get_column(t, c.argv[i]);
        Context::check_mutable(row, col);
        if (col.type.min > 0)
            throw Fatal("\"clear\" operation cannot be applied to column " + col.name + " of table " + t.name +
                        ", which is not allowed to be empty");
        Datum d;
        d.set_map(col.type.is_map());
        ctx.view.set(row, col.name, d);
    }
    ctx.invalidate_cache();
}

void cmd_create(Context& ctx, Command& c) {
    auto id = c.option("--id");
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    if (!id && !t.is_root)
        vlog::log(db_ctl_base_module, vlog::Level::Warn,
                  "applying \"create\" command to table %s without --id option will have no effect", t.name.c_str());
    std::optional<Uuid> uuid;
    if (id) {
        if (auto u = Uuid::parse(*id)) {
            uuid = *u;
        } else {
            Symbol& s = ctx.create_symbol(*id, nullptr);
            if (t.is_root) s.strong_ref = true;
            uuid = s.uuid;
        }
    }
    VRow* row = ctx.view.insert(t.name, uuid);
    for (size_t i = 2; i < c.argv.size(); ++i) ctx.set_column(row, c.argv[i]);
    c.created = row->uuid;
    ctx.invalidate_cache();
}

void cmd_destroy(Context& ctx, Command& c) {
    bool must_exist = !c.has("--if-exists");
    bool all = c.has("--all");
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    if (all && c.argv.size() > 2) throw Fatal("--all and records argument should not be specified together");
    if (all && !must_exist) throw Fatal("--all and --if-exists should not be specified together");
    if (!all && c.argv.size() == 2) {
        vlog::log(db_ctl_base_module, vlog::Level::Warn, "either --all or records argument should be specified");
        return;
    }
    if (all) {
        for (VRow* r : ctx.view.rows(t.name)) ctx.view.remove(r);
    } else {
        for (size_t i = 2; i < c.argv.size(); ++i)
            if (VRow* r = ctx.get_row(t, c.argv[i], must_exist)) ctx.view.remove(r);
    }
    ctx.invalidate_cache();
}

void cmd_wait_until(Context& ctx, Command& c) {
    const ovsdb::TableSchema& t = ctx.get_table(c.argv[1]);
    VRow* row = ctx.get_row(t, c.argv[2], false);
    if (!row) {
        ctx.try_again = true;
        return;
    }
    for (size_t i = 3; i < c.argv.size(); ++i)
        if (!check_condition(ctx, t, row, c.argv[i])) {
            ctx.try_again = true;
            return;
        }
}

}  // namespace

void log_invocation(const std::string& args, const std::vector<Command>& commands) {
    bool writes = std::any_of(commands.begin(), commands.end(), [](const Command& c) { return c.syntax->writes; });
    if (writes) VLOG_INFO("Called as %s", args.c_str());
    else VLOG_DBG("Called as %s", args.c_str());
}

void warn_unreferenced(const std::map<std::string, Symbol>& symbols) {
    for (const auto& [name, s] : symbols) {
        if (s.strong_ref) continue;
        if (s.weak_ref)
            VLOG_WARN("row id \"%s\" was created but only a weak reference to it was inserted, so it will not "
                      "actually appear in the database",
                      name.c_str());
        else
            VLOG_WARN("row id \"%s\" was created but no reference to it was inserted, so it will not actually "
                      "appear in the database",
                      name.c_str());
    }
}

const std::vector<Syntax>& all_commands() {
    static const std::vector<Syntax> cmds = {
        {"init", 0, 0, "", cmd_init, "", true},
        {"show", 0, 0, "", cmd_show, "", false},
        {"emer-reset", 0, 0, "", cmd_emer_reset, "", true},
        {"add-br", 1, 3, "NEW-BRIDGE [PARENT] [NEW-VLAN]", cmd_add_br, "--may-exist", true},
        {"del-br", 1, 1, "BRIDGE", cmd_del_br, "--if-exists", true},
        {"list-br", 0, 0, "", cmd_list_br, "--real,--fake", false},
        {"br-exists", 1, 1, "BRIDGE", cmd_br_exists, "", false},
        {"br-to-vlan", 1, 1, "BRIDGE", cmd_br_to_vlan, "", false},
        {"br-to-parent", 1, 1, "BRIDGE", cmd_br_to_parent, "", false},
        {"br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]", cmd_br_set_external_id, "", true},
        {"br-get-external-id", 1, 2, "BRIDGE [KEY]", cmd_br_get_external_id, "", false},
        {"list-ports", 1, 1, "BRIDGE", cmd_list_ports, "", false},
        {"add-port", 2, INT_MAX, "BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]...", cmd_add_port, "--may-exist", true},
        {"del-port", 1, 2, "[BRIDGE] PORT|IFACE", cmd_del_port, "--if-exists,--with-iface", true},
        {"port-to-br", 1, 1, "PORT", cmd_port_to_br, "", false},
        {"add-bond", 4, INT_MAX, "BRIDGE BOND IFACE... [COLUMN[:KEY]=VALUE]...", cmd_add_bond,
         "--may-exist,--fake-iface", true},
        {"add-bond-iface", 2, 2, "BOND IFACE", cmd_add_bond_iface, "--may-exist", true},
        {"del-bond-iface", 1, 2, "[BOND] IFACE", cmd_del_bond_iface, "--if-exists", true},
        {"list-ifaces", 1, 1, "BRIDGE", cmd_list_ifaces, "", false},
        {"iface-to-br", 1, 1, "IFACE", cmd_iface_to_br, "", false},
        {"get-controller", 1, 1, "BRIDGE", cmd_get_controller, "", false},
        {"del-controller", 1, 1, "BRIDGE", cmd_del_controller, "", true},
        {"set-controller", 1, INT_MAX, "BRIDGE TARGET...", cmd_set_controller, "--inactivity-probe=", true},
        {"get-fail-mode", 1, 1, "BRIDGE", cmd_get_fail_mode, "", false},
        {"del-fail-mode", 1, 1, "BRIDGE", cmd_del_fail_mode, "", true},
        {"set-fail-mode", 2, 2, "BRIDGE MODE", cmd_set_fail_mode, "", true},
        {"get-manager", 0, 0, "", cmd_get_manager, "", false},
        {"del-manager", 0, 0, "", cmd_del_manager, "", true},
        {"set-manager", 1, INT_MAX, "TARGET...", cmd_set_manager, "--inactivity-probe=", true},
        {"get-ssl", 0, 0, "", cmd_get_ssl, "", false},
        {"del-ssl", 0, 0, "", cmd_del_ssl, "", true},
        {"set-ssl", 3, 3, "PRIVATE-KEY CERTIFICATE CA-CERT", cmd_set_ssl, "--bootstrap", true},
        {"comment", 0, INT_MAX, "[ARG]...", cmd_init, "", false},
        {"get", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]]...", cmd_get, "--if-exists,--id=", false},
        {"list", 1, INT_MAX, "TABLE [RECORD]...", cmd_list, "--if-exists,--columns=", false},
        {"find", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", cmd_find, "--columns=", false},
        {"set", 3, INT_MAX, "TABLE RECORD COLUMN[:KEY]=VALUE...", cmd_set, "--if-exists", true},
        {"add", 4, INT_MAX, "TABLE RECORD COLUMN [KEY=]VALUE...", cmd_add, "--if-exists", true},
        {"remove", 4, INT_MAX, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...", cmd_remove, "--if-exists", true},
        {"clear", 3, INT_MAX, "TABLE RECORD COLUMN...", cmd_clear, "--if-exists", true},
        {"create", 2, INT_MAX, "TABLE COLUMN[:KEY]=VALUE...", cmd_create, "--id=", true, true},
        {"destroy", 1, INT_MAX, "TABLE [RECORD]...", cmd_destroy, "--if-exists,--all", true},
        {"wait-until", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]=VALUE]...", cmd_wait_until, "", false},
    };
    return cmds;
}

std::map<std::string, bool> command_options() {
    std::map<std::string, bool> out;
    for (const auto& s : all_commands()) {
        std::string opts = s.options;
        size_t pos = 0;
        while (pos < opts.size()) {
            size_t end = opts.find(',', pos);
            if (end == std::string::npos) end = opts.size();
            std::string o = opts.substr(pos, end - pos);
            if (!o.empty()) {
                bool arg = o.back() == '=';
                if (arg) o.pop_back();
                out[o] = arg;
            }
            pos = end + 1;
        }
    }
    return out;
}

namespace {

Command parse_command(const std::vector<std::string>& args, std::map<std::string, std::optional<std::string>> opts) {
    Command c;
    c.options = std::move(opts);
    size_t i = 0;
    for (; i < args.size() && !args[i].empty() && args[i][0] == '-'; ++i) {
        auto eq = args[i].find('=');
        std::string key = args[i].substr(0, eq);
        std::optional<std::string> value;
        if (eq != std::string::npos) value = args[i].substr(eq + 1);
        if (c.options.count(key)) throw Fatal("'" + args[i] + "' option specified multiple times");
        c.options.emplace(key, value);
    }
    if (i == args.size()) throw Fatal("missing command name (use --help for help)");
    const Syntax* syn = nullptr;
    for (const auto& s : all_commands())
        if (args[i] == s.name) syn = &s;
    if (!syn) throw Fatal("unknown command '" + args[i] + "'; use --help for help");
    for (const auto& [name, value] : c.options) {
        std::string opts_list = std::string(",") + syn->options + ",";
        bool takes_arg;
        if (opts_list.find("," + name + ",") != std::string::npos) takes_arg = false;
        else if (opts_list.find("," + name + "=,") != std::string::npos) takes_arg = true;
        else throw Fatal("'" + args[i] + "' command has no '" + name + "' option");
        if (takes_arg && !value) throw Fatal("missing argument to '" + name + "' option on '" + args[i] + "' command");
        if (!takes_arg && value) throw Fatal("'" + name + "' option on '" + args[i] + "' does not accept an argument");
    }
    int n_arg = static_cast<int>(args.size() - i - 1);
    if (n_arg < syn->min_args)
        throw Fatal("'" + std::string(syn->name) + "' command requires at least " + std::to_string(syn->min_args) +
                    " arguments");
    if (n_arg > syn->max_args) {
        for (size_t j = i + 1; j < args.size(); ++j)
            if (!args[j].empty() && args[j][0] == '-')
                throw Fatal("'" + std::string(syn->name) + "' command takes at most " + std::to_string(syn->max_args) +
                            " arguments (note that options must precede command names and follow a \"--\" argument)");
        throw Fatal("'" + std::string(syn->name) + "' command takes at most " + std::to_string(syn->max_args) +
                    " arguments");
    }
    c.syntax = syn;
    c.argv.assign(args.begin() + static_cast<long>(i), args.end());
    return c;
}

}  // namespace

std::vector<Command> parse_commands(const std::vector<std::string>& args,
                                    std::map<std::string, std::optional<std::string>> local_options) {
    std::vector<Command> out;
    size_t start = 0;
    for (size_t i = 0; i <= args.size(); ++i) {
        if (i == args.size() || args[i] == "--") {
            if (i > start) {
                out.push_back(parse_command({args.begin() + static_cast<long>(start), args.begin() + static_cast<long>(i)},
                                            std::move(local_options)));
                local_options.clear();
            } else if (!local_options.empty()) {
                throw Fatal("missing command name (use --help for help)");
            }
            start = i + 1;
        }
    }
    if (out.empty()) throw Fatal("missing command name (use --help for help)");
    return out;
}

}  // namespace vsctl
