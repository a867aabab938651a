// Switch: the daemon's parts wired together on one io_context.
//
//   ovsdb-server ──monitor──> Idl replica ──read_config──> Config
//        ▲                                                   │ Reconciler::apply
//        └── StatusWriter <── collect_status <── datapath ◄──┘
//
// Every change of the replica (debounced to one run per turn of the loop),
// every vport notification and every link change triggers a reconfigure:
// the configuration is read again, the reconciler applies what differs,
// and the status columns (with cur_cfg = next_cfg) go back to the
// database.  Statistics are refreshed every other_config:stats-update-
// interval.  Only the holder of the database lock "ovs_vswitchd" configures,
// so two switches never fight over one database.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <map>
#include <set>
#include <string>

#include <boost/asio.hpp>

#include "dpif/dpif.hpp"
#include "ovsdb/idl/idl.hpp"
#include "vswitchd/bridge.hpp"
#include "vswitchd/config.hpp"
#include "vswitchd/link_monitor.hpp"
#include "vswitchd/ofservice.hpp"
#include "vswitchd/reconciler.hpp"
#include "vswitchd/revalidator.hpp"
#include "vswitchd/status.hpp"
#include "vswitchd/upcall.hpp"

namespace vswitchd {

namespace asio = boost::asio;

class Switch {
public:
    // Throws dpif::Error if the upcall channel or vport listener cannot be
    // opened.
    Switch(asio::io_context& io, std::unique_ptr<dpif::Dpif> dpif, const std::string& remote,
           const common::SslConfig& ssl = {});
    ~Switch();
    Switch(const Switch&) = delete;
    Switch& operator=(const Switch&) = delete;

    void start();
    // Stops serving; with cleanup, deletes the datapaths first.
    void shutdown(bool cleanup);

    // Ask for a reconfigure at the next turn of the loop.
    void schedule_reconfigure();
    // Drops the database connection and resynchronises.
    void reconnect_db() { idl_.force_reconnect(); }

    dpif::Dpif& dpif() { return *dpif_; }
    const ovsdb::idl::Idl& idl() const { return idl_; }
    const Config& config() const { return config_; }
    const Reconciler& reconciler() const { return rec_; }
    uint64_t reconfigures() const { return n_reconfigures_; }
    const UpcallHandler& upcall_handler() const { return handler_; }
    const Revalidator& revalidator() const { return revalidator_; }
    const OfService* openflow() const { return of_.get(); }

    // Forwarding state per bridge (by name).
    const std::map<std::string, std::unique_ptr<Bridge>>& bridges() const { return bridges_; }
    Bridge* bridge(const std::string& name);
    // Run a revalidation pass of every bridge soon (after a MAC table or
    // configuration change), and at once (revalidator/wait, tests).
    void schedule_revalidation();
    void revalidate_now();
    // Deletes every datapath flow (revalidator/purge).
    size_t purge_flows();

private:
    void reconfigure();
    void refresh_status(bool statistics);
    void arm_upcalls();
    void arm_vport_events();
    void arm_stats_timer();
    void arm_coverage_timer();
    void handle_upcalls();
    void handle_vport_events();
    void update_bridges();
    // Port status to the OpenFlow connections for ports that changed.
    void report_ports();
    void arm_revalidate_timer(std::chrono::milliseconds after);
    Bridge* bridge_by_ifindex(int ifindex);

    asio::io_context& io_;
    std::unique_ptr<dpif::Dpif> dpif_;
    ovsdb::idl::Idl idl_;
    std::unique_ptr<dpif::UpcallChannel> upcalls_;
    std::unique_ptr<dpif::VportListener> vport_events_;
    asio::posix::stream_descriptor upcall_fd_;
    asio::posix::stream_descriptor vport_fd_;
    std::unique_ptr<LinkMonitor> links_;
    Reconciler rec_;
    std::map<std::string, std::unique_ptr<Bridge>> bridges_;
    UpcallHandler handler_;
    Revalidator revalidator_;
    asio::steady_timer revalidate_timer_;
    Clock::time_point next_revalidation_;
    Clock::time_point last_revalidation_;
    StatusWriter status_;
    Config config_;
    std::optional<int64_t> applied_cfg_;
    asio::steady_timer stats_timer_;
    asio::steady_timer coverage_timer_;
    asio::steady_timer retry_timer_;
    bool reconfigure_pending_ = false;
    bool lock_warned_ = false;
    bool stopping_ = false;
    std::set<std::string> warned_;
    uint64_t n_reconfigures_ = 0;
    std::unique_ptr<OfService> of_;
    std::shared_ptr<bool> alive_;
};

}  // namespace vswitchd
