// Revalidator: keeps a bridge's megaflows true.
//
// One pass dumps the bridge's datapath flows and, for each:
//   * notes whether it saw packets since the last pass; one that saw none
//     for max-idle (other_config:max-idle, 10 s by default) is deleted;
//   * if it saw packets, translates it again with learning on, which keeps
//     the MAC entries of traffic that never misses fresh (they would age
//     out otherwise);
//   * if the bridge changed since it was translated (MAC table,
//     configuration), translates it again: different actions are written
//     in place, a different mask deletes it (the next packet misses and
//     gets a flow of the right shape);
//   * a flow it does not know (left by a previous run, or by someone else)
//     is read, adopted and judged the same way; one it cannot read is
//     deleted.
// Flows the datapath no longer has are forgotten.  All changes of one pass
// go to the datapath as one batch.
#pragma once

#include <chrono>

#include "dpif/dpif.hpp"
#include "vswitchd/bridge.hpp"

namespace vswitchd {

class Revalidator {
public:
    struct Pass {
        size_t dumped = 0, adopted = 0, idle = 0, reshaped = 0, modified = 0, unreadable = 0;
        bool learned = false;   // the MAC table changed during the pass
    };

    explicit Revalidator(dpif::Dpif& dpif) : dpif_(dpif) {}

    Pass run(Bridge& br, Clock::time_point now, std::chrono::milliseconds max_idle);
    // Deletes every flow of the bridge (revalidator/purge).
    size_t purge(Bridge& br);

    uint64_t passes() const { return passes_; }

private:
    dpif::Dpif& dpif_;
    uint64_t passes_ = 0;
};

}  // namespace vswitchd
