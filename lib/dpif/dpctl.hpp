// The commands of vswitch-dpctl, over any Dpif (so the unit tests run them
// against the dummy datapath and the VM tests against the kernel).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "dpif/dpif.hpp"

namespace dpif {

// Runs one command: args[0] is its name.  Writes results to out and errors
// to err; returns the process exit status (0 ok, 1 failure, 2 usage).
int run_dpctl(Dpif& dpif, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err);

// The command summary printed by --help.
std::string dpctl_usage();

}  // namespace dpif
