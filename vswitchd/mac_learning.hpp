// MacLearning: one bridge's table of learned Ethernet addresses, the memory
// of the NORMAL (learning L2 switch) behaviour.
//
// An entry says on which port a source MAC was last seen in a VLAN.  Entries
// age out after `aging` without traffic (other_config:mac-aging-time, 300 s
// by default) and the table holds at most `max_entries`
// (other_config:mac-table-size, 2048 by default): when full, the entry
// unused for longest makes room.  Multicast and broadcast sources are never
// learned.  Every change that can alter a forwarding decision (a new entry,
// a move to another port, a removal) bumps generation(), which is what tells
// the daemon its installed flows need revalidation.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vswitchd {

using Mac = std::array<uint8_t, 6>;
using Clock = std::chrono::steady_clock;

bool is_multicast(const Mac& m);
std::string mac_to_string(const Mac& m);
std::optional<Mac> mac_from_string(const std::string& s);

class MacLearning {
public:
    static constexpr std::chrono::seconds kDefaultAging{300};
    static constexpr size_t kDefaultMaxEntries = 2048;

    struct Entry {
        Mac mac{};
        uint16_t vlan = 0;
        uint32_t port = 0;
        Clock::time_point last_seen;
    };

    explicit MacLearning(std::chrono::seconds aging = kDefaultAging, size_t max_entries = kDefaultMaxEntries);

    void set_aging(std::chrono::seconds aging);
    // Shrinking below the current size evicts the least recently used entries.
    void set_max_entries(size_t n);
    std::chrono::seconds aging() const { return aging_; }
    size_t max_entries() const { return max_; }

    // A frame from `mac` arrived on `port` in `vlan`.  Returns true if the
    // table changed in a way that matters for forwarding (new entry, or the
    // MAC moved to another port); a refresh of the same entry returns false.
    bool learn(const Mac& mac, uint16_t vlan, uint32_t port, Clock::time_point now);
    // The port `mac` was learned on in `vlan`, if it is known and not expired.
    std::optional<uint32_t> lookup(const Mac& mac, uint16_t vlan, Clock::time_point now) const;

    // Drops expired entries; returns how many.
    size_t expire(Clock::time_point now);
    // The earliest time an entry expires (to arm a timer), if any.
    std::optional<Clock::time_point> next_expiry() const;
    void flush();
    // Forgets everything learned on `port` (the port was deleted or moved).
    size_t flush_port(uint32_t port);

    size_t size() const { return by_key_.size(); }
    uint64_t generation() const { return generation_; }
    // Entries, most recently used first.
    std::vector<Entry> entries() const;

    // The table as `ovs-appctl fdb/show BRIDGE` prints it:
    //    port  VLAN  MAC                Age
    //       1     0  50:54:00:00:00:01    3
    std::string format(Clock::time_point now,
                       const std::function<std::string(uint32_t port)>& port_name) const;

private:
    using Key = std::pair<Mac, uint16_t>;
    using Lru = std::list<Entry>;   // front: most recently used
    void remove(Lru::iterator it);

    std::chrono::seconds aging_;
    size_t max_;
    Lru lru_;
    std::map<Key, Lru::iterator> by_key_;
    uint64_t generation_ = 0;
};

}  // namespace vswitchd
