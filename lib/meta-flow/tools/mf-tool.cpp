// mf-tool: lib/meta-flow from the command line, with the input and output
// conventions of the ovs-ofctl commands it mirrors, so that tests can feed
// the same lines to both and compare.  Not installed.
//
//   mf-tool parse-flow            stdin: one match per line; prints the match
//                                 after an NXM round trip (what ovs-ofctl
//                                 -F nxm parse-flow prints after ADD), or
//                                 "error: MESSAGE"
//   mf-tool parse-nx-match [--strict]
//                                 stdin: NXM text per line; prints the
//                                 re-encoded NXM text and "hex: ..." of its
//                                 bytes, or "nx_pull_match() returned error X"
//   mf-tool parse-oxm VERSION [--strict]
//                                 the same for OXM (VERSION OpenFlow12..15)
//   mf-tool to-nxm [VERSION]      stdin: one match per line; prints its NXM
//                                 (or OXM for VERSION) text and "hex: ..."
//   mf-tool dp-flow               stdin: ovs-dpctl flow text per line; prints
//                                 "hex:KEY/MASK<TAB>TEXT": the datapath key
//                                 and mask we make of it and our text of them
//   mf-tool dump-dp DP            the flows of datapath DP (kernel), as
//                                 "hex:KEY/MASK<TAB>TEXT" with our text of
//                                 the kernel's own key and mask
//   mf-tool fields                the catalogue, one field per line
#include <iostream>
#include <string>

#include "dpif/error.hpp"
#include "dpif/nl_attr.hpp"
#include "dpif/open_dpif.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/datapath_text.hpp"
#include "meta-flow/field.hpp"
#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"

namespace {

int usage()
{
    std::cerr << "usage: mf-tool parse-flow | parse-nx-match [--strict] | "
                 "parse-oxm OpenFlow1N [--strict] | to-nxm [OpenFlow1N] | dp-flow | fields\n";
    return 2;
}

// ovs-ofctl refuses a match no OpenFlow protocol can express (fields with
// no NXM/OXM header and no OpenFlow 1.0/1.1 form, like skb_priority).
void check_expressible(const mf::Match& m)
{
    for (const mf::FieldDesc& f : mf::all_fields()) {
        if (m.is_wild(f.id) || f.headers[0].present || f.of10 != mf::OfMatch::no ||
            f.of11 != mf::OfMatch::no)
            continue;
        throw mf::Error("actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)");
    }
}

uint8_t version_of(const std::string& v)
{
    return v == "OpenFlow12" ? 3 : v == "OpenFlow13" ? 4 : v == "OpenFlow14" ? 5
         : v == "OpenFlow15" ? 6 : 0;
}

int to_nxm(uint8_t version)
{
    std::string line;
    while (std::getline(std::cin, line)) {
        try {
            const dpif::Bytes b = mf::nxm_encode(mf::parse_match(line), version);
            std::cout << mf::nxm_to_string(b) << "\nhex: " << dpif::to_hex(b) << "\n";
        } catch (const mf::Error& e) {
            std::cout << "error: " << e.what() << "\n";
        }
    }
    return 0;
}

int dp_flow()
{
    std::string line;
    while (std::getline(std::cin, line)) {
        try {
            const mf::KeyMask km = mf::match_to_key_mask(mf::parse_datapath_flow(line));
            std::cout << "hex:" << dpif::to_hex(km.key) << "/" << dpif::to_hex(km.mask) << "\t"
                      << mf::format_datapath_flow(km.key, km.mask) << "\n";
        } catch (const mf::Error& e) {
            std::cout << "error: " << e.what() << "\n";
        }
    }
    return 0;
}

int dump_dp(const std::string& name)
{
    try {
        auto dp = dpif::open_dpif("netlink");
        auto info = dp->get_datapath(name);
        if (!info) {
            std::cerr << "mf-tool: no datapath " << name << "\n";
            return 1;
        }
        for (const dpif::Flow& f : dp->dump_flows(info->ifindex))
            std::cout << "hex:" << dpif::to_hex(f.key) << "/" << dpif::to_hex(f.mask) << "\t"
                      << mf::format_datapath_flow(f.key, f.mask) << "\n";
    } catch (const std::exception& e) {
        std::cerr << "mf-tool: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

int parse_flow()
{
    std::string line;
    while (std::getline(std::cin, line)) {
        try {
            const mf::Match m = mf::parse_match(line);
            check_expressible(m);
            const mf::Match round = mf::nxm_decode(mf::nxm_encode(m), false);
            std::cout << mf::format_match(round) << "\n";
        } catch (const mf::Error& e) {
            std::cout << "error: " << e.what() << "\n";
        }
    }
    return 0;
}

int parse_nxm(uint8_t version, bool strict)
{
    std::string line;
    while (std::getline(std::cin, line)) {
        try {
            const dpif::Bytes in = mf::nxm_from_string(line);
            mf::NxmCookie cookie;
            const mf::Match m =
                version ? mf::nxm_decode(in, strict) : mf::nxm_decode(in, strict, &cookie);
            const dpif::Bytes out = mf::nxm_encode(m, version, cookie);
            std::cout << mf::nxm_to_string(out) << "\nhex: " << dpif::to_hex(out) << "\n";
        } catch (const mf::NxmError& e) {
            std::cout << "nx_pull_match() returned error " << mf::nxm_err_name(e.code()) << "\n";
        } catch (const mf::Error& e) {
            std::cout << "fatal: " << e.what() << "\n";
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        return usage();
    const std::string cmd = argv[1];
    bool strict = false;
    for (int i = 2; i < argc; ++i)
        if (std::string(argv[i]) == "--strict")
            strict = true;
    if (cmd == "parse-flow")
        return parse_flow();
    if (cmd == "parse-nx-match" || cmd == "parse-nxm")
        return parse_nxm(0, strict);
    if (cmd == "parse-oxm") {
        if (argc < 3)
            return usage();
        const std::string v = argv[2];
        const uint8_t ver = version_of(v);
        if (!ver) {
            std::cerr << "mf-tool: " << v << ": not a valid version for OXM\n";
            return 1;
        }
        return parse_nxm(ver, strict);
    }
    if (cmd == "dump-dp" && argc > 2)
        return dump_dp(argv[2]);
    if (cmd == "dp-flow")
        return dp_flow();
    if (cmd == "to-nxm")
        return to_nxm(argc > 2 ? version_of(argv[2]) : 0);
    if (cmd == "fields") {
        for (const mf::FieldDesc& f : mf::all_fields()) {
            std::cout << f.name << (f.extra_name.empty() ? "" : " " + std::string(f.extra_name))
                      << " bytes=" << int(f.n_bytes) << " bits=" << f.n_bits
                      << " mask=" << mf::to_string(f.maskable) << " prereq=\""
                      << mf::to_string(f.prereq) << "\" format=\"" << mf::to_string(f.format)
                      << "\"";
            for (const mf::OxmHeader& h : f.headers)
                if (h.present)
                    std::cout << " " << h.name;
            std::cout << "\n";
        }
        return 0;
    }
    return usage();
}
