// vswitch-dpctl: manage Open vSwitch kernel datapaths through lib/dpif.
// Parses the command line and hands the command to dpif::run_dpctl().
#include <iostream>
#include <string>
#include <vector>

#include "dpif/dpctl.hpp"
#include "dpif/open_dpif.hpp"

namespace {

void usage()
{
    std::cout << "vswitch-dpctl: manage Open vSwitch datapaths (generic netlink)\n"
                 "usage: vswitch-dpctl [OPTIONS] COMMAND [ARG...]\n\n"
              << dpif::dpctl_usage()
              << "\nOptions:\n"
                 "  --dpif=TYPE      datapath implementation: netlink (default) or dummy\n"
                 "                   (in-process, empty: for the offline commands)\n"
                 "  -h, --help       this help\n"
                 "  -V, --version    version\n";
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args;
    std::string type = "netlink";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (args.empty() && a.rfind("--dpif=", 0) == 0) {
            type = a.substr(7);
            continue;
        }
        if (args.empty() && (a == "-h" || a == "--help")) {
            usage();
            return 0;
        }
        if (args.empty() && (a == "-V" || a == "--version")) {
            std::cout << "vswitch-dpctl (vswitch) " << VSWITCH_VERSION << "\n";
            return 0;
        }
        if (args.empty() && a.rfind("-", 0) == 0 && a.rfind("--", 0) != 0) {
            std::cerr << "vswitch-dpctl: unknown option " << a << " (try --help)\n";
            return 2;
        }
        args.push_back(a);
    }
    if (args.empty()) {
        std::cerr << "vswitch-dpctl: missing command (try --help)\n";
        return 2;
    }
    try {
        auto dpif = dpif::open_dpif(type);
        return dpif::run_dpctl(*dpif, args, std::cout, std::cerr);
    } catch (const dpif::Error& e) {
        std::cerr << "vswitch-dpctl: " << e.what() << "\n";
        return 1;
    }
}
