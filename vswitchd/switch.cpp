#include "vswitchd/switch.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "common/daemon.hpp"
#include "common/vlog.hpp"
#include "vswitchd/coverage.hpp"
#include "vswitchd/of_ports.hpp"

VLOG_DEFINE_THIS_MODULE(bridge);

COVERAGE_DEFINE(bridge_reconfigure);

namespace vswitchd {

namespace {

int dup_fd(int fd) {
    int d = ::dup(fd);
    if (d < 0) throw std::system_error(errno, std::generic_category(), "dup");
    return d;
}

ovsdb::idl::Idl::Options idl_options(const common::SslConfig& ssl) {
    ovsdb::idl::Idl::Options o;
    o.ssl = ssl;
    o.probe_interval = std::chrono::milliseconds(5000);
    return o;
}

}  // namespace

Switch::Switch(asio::io_context& io, std::unique_ptr<dpif::Dpif> dpif, const std::string& remote,
               const common::SslConfig& ssl)
    : io_(io),
      dpif_(std::move(dpif)),
      idl_(io, remote, idl_options(ssl)),
      upcalls_(dpif_->open_upcall_channel()),
      vport_events_(dpif_->open_vport_listener()),
      upcall_fd_(io, dup_fd(upcalls_->fd())),
      vport_fd_(io, dup_fd(vport_events_->fd())),
      rec_(*dpif_, {upcalls_->port_id()}),
      handler_(*dpif_, [this](int ifindex) { return bridge_by_ifindex(ifindex); }),
      revalidator_(*dpif_),
      revalidate_timer_(io),
      status_(idl_),
      stats_timer_(io),
      coverage_timer_(io),
      retry_timer_(io),
      alive_(std::make_shared<bool>(true)) {
    handler_.count_flows = [this] {
        size_t n = 0;
        for (const auto& [_, b] : bridges_) n += b->ukeys().size();
        return n;
    };
    handler_.on_learned = [this](Bridge&) { schedule_revalidation(); };
    OfContext ofc;
    ofc.bridge = [this](const std::string& name) { return bridge(name); };
    ofc.dpif = dpif_.get();
    ofc.flows_changed = [this](Bridge&) { schedule_revalidation(); };
    ofc.set_packet_in_on_miss = [this](const std::string& name, bool on) {
        if (Bridge* b = bridge(name)) {
            b->set_packet_in_on_miss(on);
            schedule_revalidation();
        }
    };
    handler_.on_packet_in = [this](Bridge& b, const ofp::PacketIn& pin, uint16_t controller_id) {
        if (of_) of_->send_packet_in(b.name(), pin, controller_id);
    };
    of_ = std::make_unique<OfService>(io_, common::daemon::rundir(), std::move(ofc));
    if (dpif_->type() != "dummy") {
        try {
            links_ = std::make_unique<LinkMonitor>(io, [this] { schedule_reconfigure(); });
        } catch (const std::exception& e) {
            VLOG_WARN("no link notifications (%s): devices that appear later are found by the periodic retry",
                      e.what());
        }
    }
}

Switch::~Switch() { *alive_ = false; }

void Switch::start() {
    // The tables the switch reads and the ones it writes status into.
    for (const char* t : {"Open_vSwitch", "Bridge", "Port", "Interface", "Controller"}) idl_.replicate(t);
    idl_.set_lock("ovs_vswitchd");
    idl_.on_change = [this] { schedule_reconfigure(); };
    idl_.start();
    arm_upcalls();
    arm_vport_events();
    arm_stats_timer();
    arm_coverage_timer();
    arm_revalidate_timer(std::chrono::milliseconds(1000));
}

void Switch::shutdown(bool cleanup) {
    stopping_ = true;
    if (cleanup) rec_.delete_all();
    stats_timer_.cancel();
    coverage_timer_.cancel();
    retry_timer_.cancel();
    revalidate_timer_.cancel();
    of_.reset();
    upcall_fd_.cancel();
    vport_fd_.cancel();
}

void Switch::schedule_reconfigure() {
    if (reconfigure_pending_ || stopping_) return;
    reconfigure_pending_ = true;
    std::weak_ptr<bool> alive = alive_;
    asio::post(io_, [this, alive] {
        if (alive.expired()) return;
        reconfigure_pending_ = false;
        reconfigure();
    });
}

void Switch::reconfigure() {
    if (stopping_ || !idl_.synced()) return;
    if (!idl_.has_lock()) {
        if (idl_.lock_contended() && !lock_warned_) {
            VLOG_ERR("another ovs-vswitchd process is running, disabling this process until it goes away");
            lock_warned_ = true;
        }
        return;
    }
    if (lock_warned_) {
        VLOG_INFO("acquired the database lock: configuring");
        lock_warned_ = false;
    }
    COVERAGE_INC(bridge_reconfigure);
    ++n_reconfigures_;
    config_ = read_config(idl_.replica());
    std::set<std::string> warnings(config_.warnings.begin(), config_.warnings.end());
    for (const auto& w : warnings)
        if (!warned_.count(w)) VLOG_WARN("%s", w.c_str());
    warned_ = std::move(warnings);
    for (const auto& [_, b] : config_.bridges)
        for (const auto& [__, p] : b.ports)
            if (!p.vlan_warning.empty() && !warned_.count(p.vlan_warning)) {
                VLOG_WARN("port %s: %s", p.name.c_str(), p.vlan_warning.c_str());
                warned_.insert(p.vlan_warning);
            }
    Reconciler::Outcome outcome = rec_.apply(config_);
    update_bridges();
    applied_cfg_ = config_.next_cfg;
    refresh_status(!outcome.changed.empty());

    // Interfaces that could not be added are retried now and then, in case
    // no notification says their device appeared.
    bool errors = false;
    for (const auto& [_, i] : rec_.interfaces()) errors |= !i.error.empty();
    if (errors) {
        retry_timer_.expires_after(std::chrono::seconds(5));
        std::weak_ptr<bool> alive = alive_;
        retry_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
            if (!ec && !alive.expired()) schedule_reconfigure();
        });
    }
}

void Switch::refresh_status(bool statistics) {
    if (!idl_.synced() || !idl_.has_lock()) return;
    StatusOptions o;
    o.statistics = statistics;
    o.cur_cfg = applied_cfg_;
    status_.update(collect_status(config_, rec_, *dpif_, o));
    status_.flush();
}

void Switch::arm_upcalls() {
    std::weak_ptr<bool> alive = alive_;
    upcall_fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                          [this, alive](const boost::system::error_code& ec) {
                              if (ec || alive.expired() || stopping_) return;
                              handle_upcalls();
                              arm_upcalls();
                          });
}

void Switch::handle_upcalls() {
    // Bounded batches per turn, so the database and timers keep their turn.
    std::vector<dpif::Upcall> batch;
    for (int round = 0; round < 4; ++round) {
        batch.clear();
        while (batch.size() < 64) {
            std::optional<dpif::Upcall> u = upcalls_->recv();
            if (!u) break;
            batch.push_back(std::move(*u));
        }
        if (batch.empty()) return;
        handler_.handle(batch, Clock::now());
        if (batch.size() < 64) return;
    }
}

Bridge* Switch::bridge(const std::string& name) {
    auto it = bridges_.find(name);
    return it == bridges_.end() ? nullptr : it->second.get();
}

Bridge* Switch::bridge_by_ifindex(int ifindex) {
    for (auto& [_, b] : bridges_)
        if (b->dp_ifindex() == ifindex) return b.get();
    return nullptr;
}

void Switch::update_bridges() {
    bool changed = false;
    for (auto it = bridges_.begin(); it != bridges_.end();) {
        if (config_.bridges.count(it->first) && rec_.datapath(it->first)) {
            ++it;
        } else {
            it = bridges_.erase(it);
        }
    }
    for (const auto& [name, b] : config_.bridges) {
        if (!rec_.datapath(name)) continue;
        auto& br = bridges_[name];
        if (!br) {
            br = std::make_unique<Bridge>(name);
            br->set_upcall_pid(upcalls_->port_id());
            br->flows().on_removed = [this, name](const ofp::FlowRule& r, uint8_t reason, Clock::time_point now) {
                if (of_) of_->send_flow_removed(name, r, reason, now);
            };
        }
        changed |= br->configure(b, rec_);
    }
    handler_.set_flow_limit(config_.flow_limit);
    if (of_ && !stopping_) {
        std::vector<std::string> names;
        for (const auto& [name, _] : bridges_) names.push_back(name);
        of_->update(names);
        report_ports();
    }
    if (changed) schedule_revalidation();
}

void Switch::report_ports() {
    if (!of_ || stopping_) return;
    for (const auto& [name, b] : bridges_) {
        std::vector<ofp::PortDesc> descs;
        for (const OfPort& p : of_ports(*dpif_, *b)) descs.push_back(p.desc);
        of_->update_ports(name, descs);
    }
}

void Switch::arm_revalidate_timer(std::chrono::milliseconds after) {
    next_revalidation_ = Clock::now() + after;
    revalidate_timer_.expires_at(next_revalidation_);
    std::weak_ptr<bool> alive = alive_;
    revalidate_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopping_) return;
        revalidate_now();
    });
}

void Switch::schedule_revalidation() {
    // Soon, but not more often than every 100 ms, whatever the upcall rate.
    auto when = std::max(Clock::now(), last_revalidation_ + std::chrono::milliseconds(100));
    if (when + std::chrono::milliseconds(5) < next_revalidation_)
        arm_revalidate_timer(std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now()));
}

void Switch::revalidate_now() {
    last_revalidation_ = Clock::now();
    rec_.check_dispatch();
    bool again = false;
    for (auto& [_, b] : bridges_) {
        b->flows().expire(Clock::now());
        Revalidator::Pass p = revalidator_.run(*b, Clock::now(), config_.max_idle);
        again |= p.learned;
    }
    // Devices going down or up show as port status.
    report_ports();
    // A pass that changed the MAC table leaves flows translated before the
    // change: another pass soon.
    arm_revalidate_timer(again ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000));
}

size_t Switch::purge_flows() {
    size_t n = 0;
    for (auto& [_, b] : bridges_) n += revalidator_.purge(*b);
    return n;
}

void Switch::arm_vport_events() {
    std::weak_ptr<bool> alive = alive_;
    vport_fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                         [this, alive](const boost::system::error_code& ec) {
                             if (ec || alive.expired() || stopping_) return;
                             handle_vport_events();
                             arm_vport_events();
                         });
}

void Switch::handle_vport_events() {
    bool changed = false;
    while (auto ev = vport_events_->recv()) changed |= rec_.handle_event(*ev);
    if (vport_events_->overflowed()) {
        VLOG_WARN("vport notifications were lost: reading the datapath again");
        rec_.forget();
        changed = true;
    }
    if (changed) schedule_reconfigure();
}

void Switch::arm_stats_timer() {
    stats_timer_.expires_after(config_.stats_interval);
    std::weak_ptr<bool> alive = alive_;
    stats_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopping_) return;
        refresh_status(true);
        arm_stats_timer();
    });
}

void Switch::arm_coverage_timer() {
    coverage_timer_.expires_after(coverage::kSlice);
    std::weak_ptr<bool> alive = alive_;
    coverage_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        coverage::tick();
        arm_coverage_timer();
    });
}

}  // namespace vswitchd
