// Framing, hello negotiation and error messages.
#include <catch2/catch.hpp>

#include "openflow/framer.hpp"
#include "openflow/hello.hpp"
#include "openflow/wire.hpp"

using namespace ofp;

TEST_CASE("framer: splits messages, waits for partial ones, refuses impossible lengths") {
    Framer f;
    Bytes two = {1, 2, 0, 8, 0, 0, 0, 1, 1, 2, 0, 10, 0, 0, 0, 2, 0xaa};
    f.feed(two.data(), two.size());
    Bytes m;
    REQUIRE(f.next(&m) == Framer::Status::Message);
    CHECK(m.size() == 8);
    CHECK(f.next(&m) == Framer::Status::NeedMore);   // 9 of 10 bytes
    uint8_t last = 0xbb;
    f.feed(&last, 1);
    REQUIRE(f.next(&m) == Framer::Status::Message);
    CHECK(m.size() == 10);
    CHECK(m.back() == 0xbb);

    Framer bad;
    Bytes b = {1, 0, 0, 4, 0, 0, 0, 9};
    bad.feed(b.data(), b.size());
    REQUIRE(bad.next(&m) == Framer::Status::Bad);
    CHECK(read_header(m).xid == 9);
    CHECK(bad.next(&m) == Framer::Status::NeedMore);   // stays stopped

    Framer small(100);
    Bytes big = {1, 0, 0, 200, 0, 0, 0, 0};
    small.feed(big.data(), big.size());
    CHECK(small.next(&m) == Framer::Status::Bad);
}

TEST_CASE("hello: bitmap element, negotiation with and without bitmaps") {
    Bytes ours = hello_message(7);
    Header h = read_header(ours);
    CHECK(h.version == kOf13);
    CHECK(h.length == 16);
    CHECK(hello_versions(ours) == kSupportedVersions);
    // A 1.0 peer (no elements): versions up to 1.0.
    Bytes v10 = {1, 0, 0, 8, 0, 0, 0, 1};
    CHECK(negotiate(kSupportedVersions, hello_versions(v10)) == kOf10);
    // A 1.5 peer without bitmap means 1.0..1.5: 1.3 is the highest common one.
    Bytes v15 = {6, 0, 0, 8, 0, 0, 0, 1};
    CHECK(negotiate(kSupportedVersions, hello_versions(v15)) == kOf13);
    // 1.1 without bitmap: 1.0 and 1.1, so 1.0.
    Bytes v11 = {2, 0, 0, 8, 0, 0, 0, 1};
    CHECK(negotiate(kSupportedVersions, hello_versions(v11)) == kOf10);
    // A bitmap of 1.4 and 1.5 only: nothing in common.
    Bytes only15 = {6, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x60};
    CHECK(!negotiate(kSupportedVersions, hello_versions(only15)));
    // A broken element.
    Bytes broken = {4, 0, 0, 12, 0, 0, 0, 1, 0, 1, 0, 2};
    CHECK_THROWS_AS(hello_versions(broken), OfError);
}

TEST_CASE("error messages: per-version codes, request echoed whole") {
    Bytes req(100, 0x11);
    Bytes e = error_message(kOf10, 5, Err::BadType, req);
    CHECK(read_header(e).type == OFPT_ERROR);
    CHECK(read_header(e).xid == 5);
    CHECK(e.size() == 8 + 4 + 100);
    // As much as fits in one message.
    Bytes big(kMaxMessageLen, 0x22);
    CHECK(error_message(kOf13, 1, Err::BadLen, big).size() == kMaxMessageLen);
    // OpenFlow 1.3's ONF experimenter errors: type 0xffff, code, experimenter.
    Bytes x = error_message(kOf13, 6, Err::DupInst, req);
    CHECK(x.size() == 8 + 8 + 100);
    CHECK(x[8] == 0xff);
    CHECK(x[9] == 0xff);
    CHECK((x[10] << 8 | x[11]) == 2600);
    CHECK((x[12] << 24 | x[13] << 16 | x[14] << 8 | x[15]) == 0x4f4e4600);
    CHECK(error_code(Err::UnsupInst, kOf13).type == 3);
    // A Nicira code in 1.0: NXET_VENDOR, NXVC_VENDOR_ERROR, vendor, type, code.
    Bytes nx = error_message(kOf10, 7, Err::BadMatchPrereq, req);
    CHECK(nx.size() == 8 + 12 + 100);
    CHECK((nx[8] << 8 | nx[9]) == 0xb0c2);
    CHECK((nx[10] << 8 | nx[11]) == 0);
    CHECK((nx[12] << 24 | nx[13] << 16 | nx[14] << 8 | nx[15]) == 0x2320);
    CHECK((nx[16] << 8 | nx[17]) == 1);
    CHECK((nx[18] << 8 | nx[19]) == 260);
    CHECK(error_code(Err::BadSetArgument, kOf13).code == 15);
    CHECK(e[8] == 0);
    CHECK(e[9] == 1);
    CHECK(e[11] == 1);
    CHECK(error_code(Err::BadFlowCommand, kOf10).type == 3);
    CHECK(error_code(Err::BadFlowCommand, kOf13).type == 5);
    CHECK(error_code(Err::BadMatchPrereq, kOf10).code == 260);
    CHECK(error_code(Err::BadMatchPrereq, kOf13).type == 4);
}

TEST_CASE("reader: running short throws the given error") {
    Bytes b = {1, 2, 3};
    Reader r(b);
    CHECK(r.u16() == 0x0102);
    CHECK_THROWS_AS(r.u16(), OfError);
}
