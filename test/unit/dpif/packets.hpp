// Test packets built by hand (no dependency on the code under test).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace dpif_test {

using Bytes = std::vector<uint8_t>;

inline Bytes mac(uint8_t last) { return {0x02, 0, 0, 0, 0, last}; }

// Ethernet + IPv4 + UDP (checksums left zero), optionally 802.1Q tagged.
inline Bytes udp_packet(uint8_t dst, uint8_t src, int vlan = -1, uint16_t sport = 1000,
                        uint16_t dport = 2000)
{
    Bytes p;
    auto d = mac(dst), s = mac(src);
    p.insert(p.end(), d.begin(), d.end());
    p.insert(p.end(), s.begin(), s.end());
    if (vlan >= 0) {
        p.insert(p.end(), {0x81, 0x00, static_cast<uint8_t>(vlan >> 8), static_cast<uint8_t>(vlan)});
    }
    p.insert(p.end(), {0x08, 0x00});
    Bytes ip = {0x45, 0x10, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, dst};
    p.insert(p.end(), ip.begin(), ip.end());
    p.insert(p.end(), {static_cast<uint8_t>(sport >> 8), static_cast<uint8_t>(sport),
                       static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport), 0, 8, 0, 0});
    return p;
}

inline Bytes arp_request(uint8_t src, uint8_t target)
{
    Bytes p = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    auto s = mac(src);
    p.insert(p.end(), s.begin(), s.end());
    p.insert(p.end(), {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1});
    p.insert(p.end(), s.begin(), s.end());
    p.insert(p.end(), {10, 0, 0, src, 0, 0, 0, 0, 0, 0, 10, 0, 0, target});
    return p;
}

}  // namespace dpif_test
