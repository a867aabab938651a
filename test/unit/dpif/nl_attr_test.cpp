#include <catch2/catch.hpp>

#include <linux/netlink.h>

#include <cerrno>
#include <cstring>

#include "dpif/error.hpp"
#include "dpif/nl_attr.hpp"

using namespace dpif;

TEST_CASE("attributes follow struct nlattr layout and 4-byte alignment")
{
    AttrWriter w;
    w.put_u8(1, 0xab);
    w.put_u32(2, 0x01020304);
    w.put_string(3, "br0");
    const Bytes& b = w.bytes();
    // u8: header(4) + 1 byte, padded to 8.
    REQUIRE(b.size() == 8 + 8 + 8);
    nlattr h;
    std::memcpy(&h, b.data(), sizeof h);
    CHECK(h.nla_len == 5);
    CHECK(h.nla_type == 1);
    CHECK(b[4] == 0xab);
    CHECK(b[5] == 0);  // padding zeroed
    std::memcpy(&h, b.data() + 8, sizeof h);
    CHECK(h.nla_len == 8);
    std::memcpy(&h, b.data() + 16, sizeof h);
    CHECK(h.nla_len == 8);  // "br0\0"
    CHECK(std::memcmp(b.data() + 20, "br0", 4) == 0);

    auto attrs = parse_attrs(b);
    REQUIRE(attrs.size() == 3);
    CHECK(attrs[0].u8() == 0xab);
    CHECK(attrs[1].u32() == 0x01020304);
    CHECK(attrs[2].str() == "br0");
}

TEST_CASE("big-endian helpers write network order")
{
    AttrWriter w;
    w.put_be16(1, 0x0800);
    w.put_be32(2, 0xc0a80001);
    auto attrs = parse_attrs(w.bytes());
    CHECK(attrs[0].payload[0] == 0x08);
    CHECK(attrs[0].payload[1] == 0x00);
    CHECK(attrs[0].be16() == 0x0800);
    CHECK(attrs[1].payload[0] == 0xc0);
    CHECK(attrs[1].be32() == 0xc0a80001);
}

TEST_CASE("nested attributes carry their total length and strip flags")
{
    AttrWriter w;
    auto tok = w.begin_nested(7 | kAttrNestedFlag);
    w.put_u32(1, 42);
    w.put_u16(2, 7);
    w.end_nested(tok);
    w.put_flag(9);
    auto attrs = parse_attrs(w.bytes());
    REQUIRE(attrs.size() == 2);
    CHECK(attrs[0].type == 7);
    CHECK(attrs[0].raw_type == (7 | kAttrNestedFlag));
    CHECK(attrs[0].payload.size() == 8 + 8);
    auto inner = attrs[0].nested();
    REQUIRE(inner.size() == 2);
    CHECK(inner[0].u32() == 42);
    CHECK(inner[1].u16() == 7);
    CHECK(attrs[1].type == 9);
    CHECK(attrs[1].payload.empty());
    CHECK(find_attr(attrs, 9).has_value());
    CHECK_FALSE(find_attr(attrs, 3).has_value());
}

TEST_CASE("malformed attribute buffers are rejected with EPROTO")
{
    SECTION("length shorter than the header")
    {
        Bytes b{2, 0, 1, 0};
        try {
            parse_attrs(b);
            FAIL("no exception");
        } catch (const Error& e) {
            CHECK(e.code() == EPROTO);
            CHECK(std::string(e.what()).find("malformed") != std::string::npos);
        }
    }
    SECTION("length past the end")
    {
        Bytes b{12, 0, 1, 0, 1, 2, 3, 4};
        CHECK_THROWS_AS(parse_attrs(b), Error);
    }
    SECTION("trailing non-zero bytes")
    {
        Bytes b{4, 0, 1, 0, 0xff};
        CHECK_THROWS_AS(parse_attrs(b), Error);
    }
    SECTION("trailing zero padding is accepted")
    {
        Bytes b{5, 0, 1, 0, 9};
        CHECK(parse_attrs(b).size() == 1);
    }
    SECTION("short payload for a u32 read")
    {
        AttrWriter w;
        w.put_u16(1, 3);
        auto attrs = parse_attrs(w.bytes());
        CHECK_THROWS_AS(attrs[0].u32(), Error);
        CHECK_THROWS_AS(attrs[0].u64(), Error);
    }
    SECTION("every truncation of a valid buffer fails cleanly or parses")
    {
        AttrWriter w;
        auto tok = w.begin_nested(1);
        w.put_u64(2, 99);
        w.put_string(3, "hello");
        w.end_nested(tok);
        const Bytes full = w.take();
        for (size_t n = 0; n < full.size(); ++n) {
            Bytes cut(full.begin(), full.begin() + n);
            try {
                for (auto& a : parse_attrs(cut))
                    a.nested();
            } catch (const Error& e) {
                CHECK(e.code() == EPROTO);
            }
        }
    }
}

TEST_CASE("hex conversion")
{
    Bytes b{0x00, 0x1b, 0xff};
    CHECK(to_hex(b) == "001bff");
    CHECK(from_hex("001bff") == b);
    CHECK(from_hex("0x00:1B:ff") == b);
    CHECK_THROWS_AS(from_hex("abc"), Error);
    CHECK_THROWS_AS(from_hex("zz"), Error);
}

TEST_CASE("errors carry errno and its text")
{
    Error e(ENOENT, "vport eth0");
    CHECK(e.code() == ENOENT);
    CHECK(std::string(e.what()) == "vport eth0: No such file or directory");
}
