// OFPT_HELLO and version negotiation.
//
// Our hello carries the highest version we speak (1.3) and a version bitmap
// element (OFPHET_VERSIONBITMAP) naming every version we speak (1.0, 1.3).
// negotiate() reads the peer's hello: its bitmap if it has one, else every
// version up to the one in its header (what a 1.0 peer means), and picks the
// highest version both sides speak -- none means OFPHFC_INCOMPATIBLE.
#pragma once

#include <cstdint>
#include <optional>

#include "openflow/wire.hpp"

namespace ofp {

Bytes hello_message(uint32_t xid, uint32_t versions = kSupportedVersions);

// The versions a peer's hello allows, as a bitmap (bit n = wire version n).
// Throws OfError(BadLen) on a malformed element.
uint32_t hello_versions(ByteView hello);

// The version both speak, or nullopt.
std::optional<uint8_t> negotiate(uint32_t ours, uint32_t theirs);

// "1.0", "1.3", or "0x07".
std::string version_name(uint8_t v);

}  // namespace ofp
