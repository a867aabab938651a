// Fuzz target: lib/meta-flow's decoders of untrusted input.  The first
// byte picks one:
//   0  datapath key (and the same bytes as a mask): key_to_flow,
//      key_mask_to_match -- a key that decodes re-encodes to a key that
//      decodes to the same flow
//   1  NXM entries, strict and loose -- a match that decodes re-encodes and
//      decodes to itself
//   2  a match string (parse_match) -- one that parses formats to a string
//      that parses to the same match
//   3  an ovs-dpctl flow string (parse_datapath_flow) -- one that parses
//      formats and parses back to the same match
// Errors (mf::Error) are the expected answer to bad input; anything else
// (a crash, a sanitizer report, a property violated) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "meta-flow/datapath_key.hpp"
#include "meta-flow/datapath_text.hpp"
#include "meta-flow/error.hpp"
#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"

namespace {

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "decoders_fuzz: property violated: %s\n", what);
    std::abort();
}

void key(std::span<const uint8_t> b)
{
    try {
        const mf::Flow f = mf::key_to_flow(b);
        const mf::Flow again = mf::key_to_flow(mf::flow_to_key(f));
        if (!(mf::key_to_flow(mf::flow_to_key(again)) == again))
            fail("key -> flow -> key -> flow not stable");
    } catch (const mf::Error&) {
    }
    try {
        (void)mf::key_mask_to_match(b, b);
    } catch (const mf::Error&) {
    }
}

void nxm(std::span<const uint8_t> b)
{
    (void)mf::nxm_to_string(b);
    for (bool strict : {false, true}) {
        try {
            const mf::Match m = mf::nxm_decode(b, strict);
            const mf::Match again = mf::nxm_decode(mf::nxm_encode(m), false);
            if (!(mf::nxm_decode(mf::nxm_encode(again), false) == again))
                fail("NXM decode/encode not stable");
        } catch (const mf::Error&) {
        }
    }
}

void match_string(std::string_view s)
{
    try {
        const mf::Match m = mf::parse_match(s);
        const std::string text = mf::format_match(m);
        const mf::Match back = mf::parse_match(text);
        if (mf::format_match(back) != text)
            fail("format(parse(format(m))) != format(m)");
    } catch (const mf::Error&) {
    }
}

void dp_string(std::string_view s)
{
    try {
        const mf::Match m = mf::parse_datapath_flow(s);
        const std::string text = mf::format_datapath_flow(m);
        const mf::Match back = mf::parse_datapath_flow(text);
        if (mf::format_datapath_flow(back) != text)
            fail("datapath text not stable");
    } catch (const mf::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    std::span<const uint8_t> rest(data + 1, size - 1);
    std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
    switch (data[0] % 4) {
    case 0: key(rest); break;
    case 1: nxm(rest); break;
    case 2: match_string(text); break;
    default: dp_string(text); break;
    }
    return 0;
}
