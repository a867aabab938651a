// The lengths Open vSwitch's message decoder insists on, for the requests
// this switch answers: each message type (statistics/multipart type, Nicira
// subtype) has a fixed body, or a fixed part followed by a tail of 8-byte
// units.  A request of any other length is OFPBRC_BAD_LEN before its body
// is looked at -- a features request with a body, a set_config of 5 bytes,
// a port statistics request with junk after it.  Types not listed here are
// left to their handlers.
#pragma once

#include "openflow/wire.hpp"

namespace ofp {

// `msg` is a whole message of the connection's version; throws
// OfError(BadLen).
void check_length(ByteView msg);

}  // namespace ofp
