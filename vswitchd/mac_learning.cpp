#include "vswitchd/mac_learning.hpp"

#include <cstdio>

namespace vswitchd {

bool is_multicast(const Mac& m) { return m[0] & 1; }

std::string mac_to_string(const Mac& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

std::optional<Mac> mac_from_string(const std::string& s) {
    Mac m{};
    unsigned v[6];
    char tail;
    if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return std::nullopt;
    for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
    return m;
}

MacLearning::MacLearning(std::chrono::seconds aging, size_t max_entries)
    : aging_(aging.count() > 0 ? aging : kDefaultAging), max_(max_entries ? max_entries : 1) {}

void MacLearning::set_aging(std::chrono::seconds aging) {
    if (aging.count() > 0) aging_ = aging;
}

void MacLearning::set_max_entries(size_t n) {
    max_ = n ? n : 1;
    while (by_key_.size() > max_) remove(std::prev(lru_.end()));
}

void MacLearning::remove(Lru::iterator it) {
    by_key_.erase({it->mac, it->vlan});
    lru_.erase(it);
    ++generation_;
}

bool MacLearning::learn(const Mac& mac, uint16_t vlan, uint32_t port, Clock::time_point now) {
    if (is_multicast(mac)) return false;
    auto found = by_key_.find({mac, vlan});
    if (found != by_key_.end()) {
        auto it = found->second;
        bool expired = now - it->last_seen >= aging_;
        bool moved = it->port != port;
        it->last_seen = now;
        it->port = port;
        lru_.splice(lru_.begin(), lru_, it);
        if (moved || expired) ++generation_;
        return moved || expired;
    }
    if (by_key_.size() >= max_) remove(std::prev(lru_.end()));
    lru_.push_front(Entry{mac, vlan, port, now});
    by_key_.emplace(Key{mac, vlan}, lru_.begin());
    ++generation_;
    return true;
}

std::optional<uint32_t> MacLearning::lookup(const Mac& mac, uint16_t vlan, Clock::time_point now) const {
    auto found = by_key_.find({mac, vlan});
    if (found == by_key_.end()) return std::nullopt;
    if (now - found->second->last_seen >= aging_) return std::nullopt;
    return found->second->port;
}

size_t MacLearning::expire(Clock::time_point now) {
    size_t n = 0;
    // Least recently used entries are at the back.
    while (!lru_.empty() && now - lru_.back().last_seen >= aging_) {
        remove(std::prev(lru_.end()));
        ++n;
    }
    return n;
}

std::optional<Clock::time_point> MacLearning::next_expiry() const {
    if (lru_.empty()) return std::nullopt;
    return lru_.back().last_seen + aging_;
}

void MacLearning::flush() {
    if (lru_.empty()) return;
    lru_.clear();
    by_key_.clear();
    ++generation_;
}

size_t MacLearning::flush_port(uint32_t port) {
    size_t n = 0;
    for (auto it = lru_.begin(); it != lru_.end();) {
        auto next = std::next(it);
        if (it->port == port) {
            remove(it);
            ++n;
        }
        it = next;
    }
    return n;
}

std::vector<MacLearning::Entry> MacLearning::entries() const { return {lru_.begin(), lru_.end()}; }

std::string MacLearning::format(Clock::time_point now,
                                const std::function<std::string(uint32_t port)>& port_name) const {
    std::string out = " port  VLAN  MAC                Age\n";
    char line[80];
    for (const auto& e : lru_) {
        auto age = std::chrono::duration_cast<std::chrono::seconds>(now - e.last_seen).count();
        std::snprintf(line, sizeof line, "%5s  %4u  %s  %3lld\n", port_name(e.port).c_str(), e.vlan,
                      mac_to_string(e.mac).c_str(), static_cast<long long>(age));
        out += line;
    }
    return out;
}

}  // namespace vswitchd
