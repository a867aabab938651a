// Config: what the database asks the switch to be, read from the replica.
//
// read_config() turns the Open_vSwitch, Bridge, Port, Interface and
// Controller rows into plain values keyed by name: every bridge with its
// ports and their interfaces, the VLAN settings, the MAC learning and flow
// settings.  It is a pure function of the replica, so the reconciler can
// compare two of them and touch only what differs.  Contradictions in the
// database (an interface listed by two ports, a port in two bridges) are
// resolved as Open vSwitch does (the first by name wins) and reported in
// `warnings`, never fatal.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ovsdb/idl/replica.hpp"
#include "ovsdb/uuid.hpp"
#include "vswitchd/mac_learning.hpp"
#include "vswitchd/vlan.hpp"

namespace vswitchd {

struct InterfaceConfig {
    ovsdb::Uuid uuid;
    std::string name;
    std::string type;                       // as in the row: "", "system", "internal", ...
    std::optional<int64_t> mtu_request;
    std::optional<int64_t> ofport_request;
    std::optional<Mac> mac;                 // Interface.mac (internal interfaces)
    std::map<std::string, std::string> options;

    bool is_internal() const { return type == "internal"; }
    // "" and "system" are both a device attached by name.
    bool is_system() const { return type.empty() || type == "system"; }
    bool operator==(const InterfaceConfig&) const = default;
};

struct PortConfig {
    ovsdb::Uuid uuid;
    std::string name;
    std::vector<InterfaceConfig> interfaces;   // sorted by name
    PortVlan vlan;
    std::string vlan_warning;                  // settings that are ignored, if any
    bool operator==(const PortConfig&) const = default;
};

struct BridgeConfig {
    ovsdb::Uuid uuid;
    std::string name;
    std::string datapath_type;                 // "", "system", "netdev", ...
    bool fail_secure = false;                  // fail_mode=secure
    bool forward_bpdu = false;                 // other_config:forward-bpdu
    std::vector<std::string> controllers;      // Controller.target of each controller
    std::chrono::seconds mac_aging = MacLearning::kDefaultAging;
    size_t mac_table_size = MacLearning::kDefaultMaxEntries;
    std::optional<Mac> hwaddr;                 // other_config:hwaddr
    std::optional<uint64_t> datapath_id;       // other_config:datapath-id
    std::map<std::string, PortConfig> ports;   // by name
    bool operator==(const BridgeConfig&) const = default;

    // The port holding an interface, if any.
    const PortConfig* port_of(const std::string& iface) const;
};

struct Config {
    std::optional<ovsdb::Uuid> root;           // the Open_vSwitch row
    int64_t next_cfg = 0;
    std::chrono::milliseconds max_idle{10000};           // other_config:max-idle
    std::chrono::milliseconds stats_interval{5000};      // other_config:stats-update-interval
    size_t flow_limit = 200000;                          // other_config:flow-limit
    std::map<std::string, BridgeConfig> bridges;         // by name
    std::vector<std::string> warnings;

    // Where an interface is configured: {bridge, port} or nullptr.
    std::pair<const BridgeConfig*, const PortConfig*> find_interface(const std::string& name) const;
};

Config read_config(const ovsdb::idl::Replica& replica);

// "aa:bb:cc:dd:ee:ff" or none; and a datapath-id (exactly 16 hex digits,
// optionally "0x"-prefixed) or none.
std::optional<uint64_t> parse_datapath_id(const std::string& s);

}  // namespace vswitchd
