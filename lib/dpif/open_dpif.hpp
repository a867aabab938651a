// Choosing a datapath implementation by name, for daemons' --dpif options.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dpif/dpif.hpp"

namespace dpif {

// "netlink" (also "system", Open vSwitch's name for the kernel datapath) or
// "dummy".  Throws Error(EINVAL) for other names, and whatever the
// implementation throws when it cannot start (ENOENT without the module).
std::unique_ptr<Dpif> open_dpif(const std::string& type);

// The names open_dpif() accepts in this build.
std::vector<std::string> dpif_types();

}  // namespace dpif
