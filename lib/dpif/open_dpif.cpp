#include "dpif/open_dpif.hpp"

#include <cerrno>

#include "dpif/dummy_dpif.hpp"
#ifdef VSWITCH_HAVE_LIBNL
#include "dpif/netlink_dpif.hpp"
#endif

namespace dpif {

std::unique_ptr<Dpif> open_dpif(const std::string& type)
{
    if (type == "dummy")
        return std::make_unique<DummyDpif>();
#ifdef VSWITCH_HAVE_LIBNL
    if (type == "netlink" || type == "system")
        return std::make_unique<NetlinkDpif>();
#endif
    std::string known;
    for (const auto& t : dpif_types())
        known += (known.empty() ? "" : ", ") + t;
    throw Error(EINVAL, "unknown datapath type '" + type + "' (known: " + known + ")");
}

std::vector<std::string> dpif_types()
{
#ifdef VSWITCH_HAVE_LIBNL
    return {"netlink", "system", "dummy"};
#else
    return {"dummy"};
#endif
}

}  // namespace dpif
