#include "openflow/hello.hpp"

#include <cstdio>

namespace ofp {

namespace {
constexpr uint16_t kHelloElemVersionBitmap = 1;
}

Bytes hello_message(uint32_t xid, uint32_t versions) {
    uint8_t top = 0;
    for (uint8_t v = 1; v < 32; ++v)
        if (versions & (1u << v)) top = v;
    Writer w(top, OFPT_HELLO, xid);
    if (top > kOf10) {
        w.u16(kHelloElemVersionBitmap);
        w.u16(8);
        w.u32(versions);
    }
    return w.finish();
}

uint32_t hello_versions(ByteView hello) {
    const uint8_t v = hello[0];
    uint32_t upto = v >= 31 ? 0xfffffffe : ((1u << (v + 1)) - 2);   // versions 1..v
    Reader r(hello.subspan(kHeaderLen));
    while (r.left() >= 4) {
        uint16_t type = r.u16();
        uint16_t len = r.u16();
        if (len < 4) throw OfError(Err::BadLen, "hello element shorter than its header");
        ByteView body = r.take(len - 4u);
        r.skip(std::min<size_t>((8 - len % 8) % 8, r.left()));
        if (type == kHelloElemVersionBitmap) {
            if (body.size() < 4) return 0;
            // Only the first word matters: versions 0..31.
            return static_cast<uint32_t>(body[0]) << 24 | static_cast<uint32_t>(body[1]) << 16 |
                   static_cast<uint32_t>(body[2]) << 8 | body[3];
        }
    }
    return upto;
}

std::optional<uint8_t> negotiate(uint32_t ours, uint32_t theirs) {
    uint32_t both = ours & theirs;
    for (int v = 31; v > 0; --v)
        if (both & (1u << v)) return static_cast<uint8_t>(v);
    return std::nullopt;
}

std::string version_name(uint8_t v) {
    switch (v) {
    case 1: return "1.0";
    case 2: return "1.1";
    case 3: return "1.2";
    case 4: return "1.3";
    case 5: return "1.4";
    case 6: return "1.5";
    }
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v);
    return b;
}

}  // namespace ofp
