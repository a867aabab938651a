// Context: what one ovs-vsctl command runs against — the View, the row-id
// symbols of the whole invocation (@name), the bridge/port/interface cache
// with fake (VLAN) bridges resolved, and the lookups every command shares
// (tables and columns by unambiguous prefix, records by UUID, UUID prefix
// or name), all with Open vSwitch's error messages.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "utilities/vsctl/table_out.hpp"
#include "utilities/vsctl/text_value.hpp"
#include "utilities/vsctl/view.hpp"

namespace vsctl {

// A command failed: the whole invocation stops with this message, exit 1.
struct Fatal : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A command asks for this exit status (br-exists: 2).
struct Exit {
    int status;
};

struct Command;

struct Symbol {
    Uuid uuid = Uuid::random();
    bool created = false;
    bool strong_ref = false;
    bool weak_ref = false;
};

class Context {
public:
    struct Bridge;
    struct Port;
    struct Iface {
        VRow* cfg;
        Port* port;
    };
    struct Port {
        VRow* cfg;
        Bridge* bridge;
        std::vector<Iface*> ifaces;
    };
    struct Bridge {
        std::string name;
        VRow* cfg = nullptr;      // null for a fake bridge
        Bridge* parent = nullptr;
        int vlan = 0;
        std::vector<Port*> ports;
        std::map<int, Bridge*> children;
    };

    Context(View& view, std::map<std::string, Symbol>& symbols) : view(view), symbols(symbols) {}

    View& view;
    std::map<std::string, Symbol>& symbols;
    VRow* ovs = nullptr;             // the Open_vSwitch row
    Command* cmd = nullptr;
    bool last_command = false;
    bool try_again = false;          // wait-until: not yet

    // Tables and columns by name or unambiguous prefix ('-' for '_', any case).
    const ovsdb::TableSchema& get_table(const std::string& name);
    const ovsdb::ColumnSchema& get_column(const ovsdb::TableSchema& t, const std::string& name);
    // A record by UUID, UUID prefix (4+ hex digits), "." (the only row) or
    // the table's name column; nullptr if !must_exist and there is none.
    VRow* get_row(const ovsdb::TableSchema& t, const std::string& id, bool must_exist);

    // "@name" resolution for values.
    SymbolResolver resolver();
    Symbol& create_symbol(const std::string& id, bool* is_new);

    // The bridge/port/interface cache.
    void populate_cache();
    void invalidate_cache();
    Bridge* find_bridge(const std::string& name, bool must_exist);
    Bridge* find_real_bridge(const std::string& name, bool must_exist);
    Port* find_port(const std::string& name, bool must_exist);
    Iface* find_iface(const std::string& name, bool must_exist);
    std::map<std::string, Bridge*> bridges() const;
    void check_conflicts(const std::string& name, const std::string& msg);
    void verify_ports();

    // Helpers for writing.
    void set_column(VRow* row, const std::string& arg);   // COLUMN[:KEY]=VALUE
    static void check_mutable(VRow* row, const ovsdb::ColumnSchema& c);

private:
    struct Cache {
        std::map<std::string, std::unique_ptr<Bridge>> bridges;
        std::map<std::string, std::unique_ptr<Port>> ports;
        std::map<std::string, std::unique_ptr<Iface>> ifaces;
    };
    void add_port_to_cache(Bridge* parent, VRow* port_cfg);
    std::optional<Cache> cache_;
    bool verified_ports_ = false;
};

}  // namespace vsctl
