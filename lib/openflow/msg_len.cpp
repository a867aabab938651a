#include "openflow/msg_len.hpp"

namespace ofp {

namespace {

enum class Rule : uint8_t { Exact, Tail8 };

void need(size_t len, Rule rule, size_t n) {
    const bool ok = rule == Rule::Exact ? len == n : len >= n && (len - n) % 8 == 0;
    if (!ok) throw OfError(Err::BadLen, "message body of " + std::to_string(len) + " bytes");
}

uint16_t be16(ByteView b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
uint32_t be32(ByteView b, size_t at) { return static_cast<uint32_t>(be16(b, at)) << 16 | be16(b, at + 2); }

// Statistics (1.0) and multipart (1.3) request bodies after their headers.
void check_stats(uint16_t type, ByteView rest, bool v10) {
    switch (type) {
    case OFPST_DESC:
    case OFPST_TABLE:
    case OFPST_PORT_DESC: return need(rest.size(), Rule::Exact, 0);
    case OFPST_FLOW:
    case OFPST_AGGREGATE: return v10 ? need(rest.size(), Rule::Exact, 44) : need(rest.size(), Rule::Tail8, 32);
    case OFPST_PORT:
    case OFPST_QUEUE: return need(rest.size(), Rule::Exact, 8);
    case OFPMP_TABLE_FEATURES:
        if (!v10) need(rest.size(), Rule::Tail8, 0);
        return;
    case OFPST_VENDOR:
        if (rest.size() < 8 || be32(rest, 0) != kNxVendor) return;
        need(rest.size(), Rule::Tail8, 12);   // vendor, subtype, pad
        if (be32(rest, 4) == NXST_FLOW || be32(rest, 4) == NXST_AGGREGATE) need(rest.size() - 12, Rule::Tail8, 8);
        return;
    }
}

void check_nicira(uint32_t sub, size_t rest) {
    switch (sub) {
    case NXT_SET_FLOW_FORMAT:
    case NXT_SET_PACKET_IN_FORMAT: return need(rest, Rule::Exact, 4);
    case NXT_FLOW_MOD_TABLE_ID:
    case NXT_SET_CONTROLLER_ID: return need(rest, Rule::Exact, 8);
    }
}

}  // namespace

void check_length(ByteView msg) {
    const Header h = read_header(msg);
    const bool v10 = h.version == kOf10;
    ByteView body = msg.subspan(kHeaderLen);
    switch (h.type) {
    case OFPT_FEATURES_REQUEST:
    case OFPT_GET_CONFIG_REQUEST: return need(body.size(), Rule::Exact, 0);
    case OFPT_SET_CONFIG: return need(body.size(), Rule::Exact, 4);
    case OFPT_VENDOR:
        if (body.size() >= 8 && be32(body, 0) == kNxVendor) check_nicira(be32(body, 4), body.size() - 8);
        return;
    }
    const uint8_t stats = v10 ? uint8_t{OFPT10_STATS_REQUEST} : uint8_t{OFPT13_MULTIPART_REQUEST};
    const uint8_t barrier = v10 ? uint8_t{OFPT10_BARRIER_REQUEST} : uint8_t{OFPT13_BARRIER_REQUEST};
    if (h.type == barrier) return need(body.size(), Rule::Exact, 0);
    if (h.type == stats) {
        const size_t head = v10 ? 4 : 8;
        if (body.size() < head) throw OfError(Err::BadLen, "statistics request too short");
        check_stats(be16(body, 0), body.subspan(head), v10);
    }
}

}  // namespace ofp
