// Netlink attributes as plain byte buffers.
//
// Flow keys, masks and actions cross the datapath interface as sequences of
// netlink attributes (struct nlattr: u16 length, u16 type, payload padded to
// 4 bytes), exactly the layout <linux/openvswitch.h> describes.  AttrWriter
// builds such a sequence, parse_attrs() splits one, checking every length so
// that malformed input raises dpif::Error(EPROTO) instead of reading past the
// end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dpif {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

constexpr size_t kAttrAlign = 4;
constexpr size_t kAttrHeader = 4;
constexpr uint16_t kAttrNestedFlag = 1 << 15;   // NLA_F_NESTED
constexpr uint16_t kAttrByteorderFlag = 1 << 14; // NLA_F_NET_BYTEORDER
constexpr uint16_t kAttrTypeMask = 0x3fff;

constexpr size_t attr_align(size_t n) { return (n + kAttrAlign - 1) & ~(kAttrAlign - 1); }

class AttrWriter {
public:
    AttrWriter() = default;
    explicit AttrWriter(Bytes prefix) : buf_(std::move(prefix)) {}

    void put(uint16_t type, const void* data, size_t len);
    void put(uint16_t type, ByteView data) { put(type, data.data(), data.size()); }
    void put_flag(uint16_t type) { put(type, nullptr, 0); }
    void put_u8(uint16_t type, uint8_t v) { put(type, &v, 1); }
    void put_u16(uint16_t type, uint16_t v) { put(type, &v, 2); }
    void put_u32(uint16_t type, uint32_t v) { put(type, &v, 4); }
    void put_u64(uint16_t type, uint64_t v) { put(type, &v, 8); }
    void put_be16(uint16_t type, uint16_t v);
    void put_be32(uint16_t type, uint32_t v);
    // NUL-terminated string, as the kernel's NLA_NUL_STRING policy wants.
    void put_string(uint16_t type, std::string_view s);

    // Opens a nested attribute; returns a token for end_nested().
    size_t begin_nested(uint16_t type);
    void end_nested(size_t token);

    // Appends raw bytes (already-encoded attributes) without a header.
    void append_raw(ByteView raw);

    const Bytes& bytes() const { return buf_; }
    Bytes take() { return std::move(buf_); }
    size_t size() const { return buf_.size(); }

private:
    Bytes buf_;
};

struct Attr {
    uint16_t type = 0;      // without the nested/byteorder flag bits
    uint16_t raw_type = 0;  // as on the wire
    ByteView payload;

    uint8_t u8() const;
    uint16_t u16() const;
    uint32_t u32() const;
    uint64_t u64() const;
    uint16_t be16() const;
    uint32_t be32() const;
    // Accepts with or without the terminating NUL; stops at the first NUL.
    std::string str() const;
    Bytes bytes() const { return Bytes(payload.begin(), payload.end()); }
    std::vector<Attr> nested() const;
};

// Splits a buffer into its attributes; they point into buf, which must
// outlive them (beware temporaries).  Throws dpif::Error(EPROTO) when an
// attribute's length is shorter than its header or runs past the buffer.
// Trailing padding after the last attribute is accepted.
std::vector<Attr> parse_attrs(ByteView buf);

// First attribute of the given type (flag bits ignored), if any.
std::optional<Attr> find_attr(const std::vector<Attr>& attrs, uint16_t type);

// "0a1b..." and back; from_hex accepts upper or lower case, optional "0x"
// prefix and ignores ':' '.' and spaces; throws dpif::Error(EINVAL) on junk.
std::string to_hex(ByteView b);
Bytes from_hex(std::string_view s);

}  // namespace dpif
