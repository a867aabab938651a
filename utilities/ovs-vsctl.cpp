// ovs-vsctl: configure the switch through its database, with Open vSwitch's
// command line.  Parses options and commands, runs the commands against the
// replica (lib/ovsdb/idl) in one transaction, retries when the database
// changed underneath, prints the outputs, and (unless --no-wait) waits for
// the switch daemon to apply the change (cur_cfg catching up with next_cfg).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/daemon.hpp"
#include "common/vlog.hpp"
#include "ovsdb/idl/idl.hpp"
#include "utilities/vsctl/commands.hpp"
#include "utilities/vsctl/context.hpp"
#include "utilities/vsctl/table_out.hpp"
#include "utilities/vsctl/view.hpp"

using namespace vsctl;
using namespace std::chrono_literals;

namespace {

const char* kProgram = "ovs-vsctl";

[[noreturn]] void fatal(const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", kProgram, msg.c_str());
    std::exit(EXIT_FAILURE);
}

vlog::Module fatal_signal_module("fatal_signal");

extern "C" void on_alarm(int) {
    // As Open vSwitch's tools do when --timeout expires: log, then die of the
    // signal.  (The main thread is blocked in poll; logging here is safe
    // enough for a process about to end.)
    vlog::log(fatal_signal_module, vlog::Level::Warn, "terminating with signal 14 (Alarm clock)");
    std::signal(SIGALRM, SIG_DFL);
    std::raise(SIGALRM);
}

void usage() {
    std::printf(R"(%s: ovs-vswitchd management utility
usage: %s [OPTIONS] COMMAND [ARG...]

Open vSwitch commands:
  init                        initialize database, if not yet initialized
  show                        print overview of database contents
  emer-reset                  reset configuration to clean state

Bridge commands:
  add-br BRIDGE               create a new bridge named BRIDGE
  add-br BRIDGE PARENT VLAN   create new fake BRIDGE in PARENT on VLAN
  del-br BRIDGE               delete BRIDGE and all of its ports
  list-br                     print the names of all the bridges
  br-exists BRIDGE            exit 2 if BRIDGE does not exist
  br-to-vlan BRIDGE           print the VLAN which BRIDGE is on
  br-to-parent BRIDGE         print the parent of BRIDGE
  br-set-external-id BRIDGE KEY VALUE  set KEY on BRIDGE to VALUE
  br-set-external-id BRIDGE KEY  unset KEY on BRIDGE
  br-get-external-id BRIDGE KEY  print value of KEY on BRIDGE
  br-get-external-id BRIDGE  list key-value pairs on BRIDGE

Port commands (a bond is considered to be a single port):
  list-ports BRIDGE           print the names of all the ports on BRIDGE
  add-port BRIDGE PORT        add network device PORT to BRIDGE
  add-bond BRIDGE PORT IFACE...  add bonded port PORT in BRIDGE from IFACES
  add-bond-iface BOND IFACE   add IFACE to existing bond BOND
  del-bond-iface [BOND] IFACE delete IFACE from its bond
  del-port [BRIDGE] PORT      delete PORT (which may be bonded) from BRIDGE
  port-to-br PORT             print name of bridge that contains PORT

Interface commands (a bond consists of multiple interfaces):
  list-ifaces BRIDGE          print the names of all interfaces on BRIDGE
  iface-to-br IFACE           print name of bridge that contains IFACE

Controller commands:
  get-controller BRIDGE      print the controllers for BRIDGE
  del-controller BRIDGE      delete the controllers for BRIDGE
  [--inactivity-probe=MSECS]
  set-controller BRIDGE TARGET...  set the controllers for BRIDGE
  get-fail-mode BRIDGE       print the fail-mode for BRIDGE
  del-fail-mode BRIDGE       delete the fail-mode for BRIDGE
  set-fail-mode BRIDGE MODE  set the fail-mode for BRIDGE to MODE

Manager commands:
  get-manager                print the managers
  del-manager                delete the managers
  [--inactivity-probe=MSECS]
  set-manager TARGET...      set the list of managers to TARGET...

SSL commands:
  get-ssl                     print the SSL configuration
  del-ssl                     delete the SSL configuration
  set-ssl PRIV-KEY CERT CA-CERT  set the SSL configuration

Database commands:
  list TBL [REC]              list RECord (or all records) in TBL
  find TBL CONDITION...       list records satisfying CONDITION in TBL
  get TBL REC COL[:KEY]       print values of COLumns in RECord in TBL
  set TBL REC COL[:KEY]=VALUE set COLumn values in RECord in TBL
  add TBL REC COL [KEY=]VALUE add (KEY=)VALUE to COLumn in RECord in TBL
  remove TBL REC COL [KEY=]VALUE  remove (KEY=)VALUE from COLumn
  clear TBL REC COL           clear values from COLumn in RECord in TBL
  create TBL COL[:KEY]=VALUE  create and initialize new record
  destroy TBL REC             delete RECord from TBL
  wait-until TBL REC [COL[:KEY]=VALUE]  wait until condition is true
Potentially unsafe database commands require --force option.

Options:
  --db=DATABASE               connect to DATABASE
                              (default: unix:%s/db.sock)
  --no-wait                   do not wait for ovs-vswitchd to reconfigure
  --retry                     keep trying to connect to server forever
  -t, --timeout=SECS          wait at most SECS seconds for ovs-vswitchd
  --dry-run                   do not commit changes to database
  --oneline                   print exactly one line of output per command

Output formatting options:
  -f, --format=FORMAT         set output formatting to FORMAT
                              ("table", "list", "html", "csv", or "json")
  -d, --data=FORMAT           set table cell output formatting to
                              FORMAT ("string", "bare", or "json")
  --no-headings               omit table heading row
  --pretty                    pretty-print JSON in output
  --bare                      equivalent to "--format=list --data=bare --no-headings"
  --max-column-width=N        limit the width of table columns

SSL options (for ssl: databases):
  -p, --private-key=FILE      file with private key
  -c, --certificate=FILE      file with certificate for private key
  -C, --ca-cert=FILE          file with peer CA certificate
  --bootstrap-ca-cert=FILE    file with peer CA certificate to read or create

Logging options:
  -vSPEC, --verbose=SPEC      set logging levels
  -v, --verbose               set maximum verbosity level

Other options:
  -h, --help                  display this help message
  -V, --version               display version information
)",
                kProgram, kProgram, common::daemon::rundir().c_str());
    std::exit(EXIT_SUCCESS);
}

struct Options {
    std::string db;
    bool wait = true;
    bool dry_run = false;
    bool oneline = false;
    bool retry = false;
    unsigned timeout = 0;
    Style style;
    common::SslConfig ssl;
    std::map<std::string, std::optional<std::string>> local;
    std::vector<std::string> args;
};

Options parse_options(int argc, char** argv) {
    Options o;
    const auto cmd_opts = command_options();
    // Long options that take a value (the value may follow "=" or be the next argument).
    const std::map<std::string, char> with_value = {
        {"db", 0}, {"timeout", 't'}, {"format", 'f'}, {"data", 'd'}, {"max-column-width", 0},
        {"private-key", 'p'}, {"certificate", 'c'}, {"ca-cert", 'C'}, {"bootstrap-ca-cert", 0},
        {"peer-ca-cert", 0}, {"log-file", 0}};
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || a[0] != '-') break;
        std::string name, value;
        bool has_value = false;
        if (a[1] == '-') {
            name = a.substr(2);
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                has_value = true;
            }
        } else {
            // Short options: -t SECS, -tSECS, -f FMT, -d FMT, -p/-c/-C FILE, -v[SPEC], -h, -V.
            char c = a[1];
            static const std::map<char, std::string> shorts = {{'t', "timeout"}, {'f', "format"}, {'d', "data"},
                                                               {'p', "private-key"}, {'c', "certificate"},
                                                               {'C', "ca-cert"}, {'h', "help"}, {'V', "version"},
                                                               {'v', "verbose"}};
            auto it = shorts.find(c);
            if (it == shorts.end()) {
                std::fprintf(stderr, "%s: invalid option -- '%c'\n", kProgram, c);
                std::exit(EXIT_FAILURE);
            }
            name = it->second;
            if (a.size() > 2) {
                value = a.substr(2);
                has_value = true;
            }
        }
        bool needs_value = with_value.count(name) || (cmd_opts.count("--" + name) && cmd_opts.at("--" + name));
        if (needs_value && !has_value) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s: option '%s' requires an argument\n", kProgram, a.c_str());
                std::exit(EXIT_FAILURE);
            }
            value = argv[++i];
            has_value = true;
        }
        try {
            if (name == "db") o.db = value;
            else if (name == "no-wait") o.wait = false;
            else if (name == "dry-run") o.dry_run = true;
            else if (name == "oneline") o.oneline = true;
            else if (name == "retry") o.retry = true;
            else if (name == "timeout") {
                char* end = nullptr;
                long t = std::strtol(value.c_str(), &end, 10);
                if (value.empty() || *end || t <= 0) fatal("value " + value + " on -t or --timeout is invalid");
                o.timeout = static_cast<unsigned>(t);
            } else if (name == "format") o.style.set_format(value);
            else if (name == "data") o.style.set_data(value);
            else if (name == "no-headings") o.style.headings = false;
            else if (name == "pretty") o.style.pretty = true;
            else if (name == "bare") {
                o.style.format = Style::Format::List;
                o.style.data = Style::Data::Bare;
                o.style.headings = false;
            } else if (name == "max-column-width") o.style.max_column_width = std::atoi(value.c_str());
            else if (name == "private-key") o.ssl.private_key = value;
            else if (name == "certificate") o.ssl.certificate = value;
            else if (name == "ca-cert") o.ssl.ca_cert = value;
            else if (name == "bootstrap-ca-cert") {
                o.ssl.ca_cert = value;
                o.ssl.bootstrap_ca_cert = true;
            } else if (name == "peer-ca-cert" || name == "no-syslog" || name == "leader-only" ||
                       name == "no-leader-only" || name == "shuffle-remotes" || name == "no-shuffle-remotes") {
                // Accepted for compatibility; nothing to do here.
            } else if (name == "verbose") {
                std::string err = vlog::set_levels_from_string(has_value ? value : "dbg");
                if (!err.empty()) fatal(err);
            } else if (name == "log-file") {
                vlog::set_log_file(value);
            } else if (name == "help") usage();
            else if (name == "version") {
                std::printf("%s (vswitch) %s\nDB Schema %s\n", kProgram, VSWITCH_VERSION, VSWITCH_DB_SCHEMA_VERSION);
                std::exit(EXIT_SUCCESS);
            } else if (name == "commands") {
                for (const auto& s : all_commands()) std::printf(",%s,%s\n", s.name, s.arguments);
                std::exit(EXIT_SUCCESS);
            } else if (name == "options") {
                for (const char* n : {"db", "no-wait", "dry-run", "oneline", "timeout", "retry", "help", "version",
                                      "format", "data", "no-headings", "pretty", "bare", "private-key",
                                      "certificate", "ca-cert", "bootstrap-ca-cert"})
                    std::printf("--%s\n", n);
                std::exit(EXIT_SUCCESS);
            } else if (cmd_opts.count("--" + name)) {
                std::string key = "--" + name;
                if (o.local.count(key)) fatal("'" + name + "' option specified multiple times");
                o.local[key] = has_value ? std::optional<std::string>(value) : std::nullopt;
            } else {
                std::fprintf(stderr, "%s: unrecognized option '%s'\n", kProgram, a.c_str());
                std::exit(EXIT_FAILURE);
            }
        } catch (const std::runtime_error& e) {
            fatal(e.what());
        }
    }
    for (; i < argc; ++i) o.args.emplace_back(argv[i]);
    if (o.db.empty()) o.db = "unix:" + common::daemon::rundir() + "/db.sock";
    return o;
}

std::string invocation(int argc, char** argv) {
    std::string s;
    for (int i = 1; i < argc; ++i) s += (i > 1 ? " " : "") + std::string(argv[i]);
    return s;
}

void print_output(const Command& c, const Options& o, bool* first_table) {
    if (c.table) {
        std::fputs(format_table(*c.table, o.style, first_table).c_str(), stdout);
        return;
    }
    if (!o.oneline) {
        std::fputs(c.output.c_str(), stdout);
        return;
    }
    std::string s = c.output;
    if (!s.empty() && s.back() == '\n') s.pop_back();
    std::string out;
    for (char ch : s) {
        if (ch == '\n') out += "\\n";
        else if (ch == '\\') out += "\\\\";
        else out += ch;
    }
    std::printf("%s\n", out.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    vlog::init(kProgram);
    vlog::set_levels_from_string("console:warn");
    vlog::set_levels_from_string("reconnect:console:off");
    Options o = parse_options(argc, argv);

    std::vector<Command> commands;
    try {
        commands = parse_commands(o.args, o.local);
    } catch (const Fatal& e) {
        fatal(e.what());
    }

    log_invocation(invocation(argc, argv), commands);
    unsigned timeout = o.timeout;
    if (!timeout)
        if (const char* env = std::getenv("OVS_CTL_TIMEOUT"); env && *env) timeout = static_cast<unsigned>(std::atoi(env));
    if (timeout) {
        std::signal(SIGALRM, on_alarm);
        ::alarm(timeout);
    }

    boost::asio::io_context io;
    ovsdb::idl::Idl::Options io_opts;
    io_opts.database = "Open_vSwitch";
    io_opts.ssl = o.ssl;
    io_opts.reconnect = o.retry;
    std::unique_ptr<ovsdb::idl::Idl> idl;
    try {
        idl = std::make_unique<ovsdb::idl::Idl>(io, o.db, io_opts);
    } catch (const std::exception& e) {
        fatal(o.db + ": database connection failed (" + e.what() + ")");
    }
    idl->start();
    const std::string args = invocation(argc, argv);
    std::map<std::string, Symbol> symbols;
    int64_t next_cfg = 0;
    bool changed = false;
    uint64_t seqno = 0;
    for (;;) {
        if (!idl->run_until([&] { return idl->synced() && idl->seqno() != seqno; }, 0ms) || idl->failed())
            fatal(o.db + ": database connection failed (" + idl->last_error() + ")");
        seqno = idl->seqno();

        ovsdb::idl::Txn txn = idl->txn();
        View view(*idl, txn);
        symbols.clear();
        Context ctx(view, symbols);
        auto ovs_rows = view.rows("Open_vSwitch");
        ctx.ovs = ovs_rows.empty() ? view.insert("Open_vSwitch") : ovs_rows[0];
        bool again = false;
        try {
            for (size_t i = 0; i < commands.size(); ++i) {
                Command& c = commands[i];
                c.output.clear();
                c.table.reset();
                c.created.reset();
                ctx.cmd = &c;
                ctx.last_command = i + 1 == commands.size();
                c.syntax->run(ctx, c);
                if (ctx.try_again) {
                    again = true;
                    break;
                }
            }
            if (!again)
                for (const auto& [name, s] : symbols)
                    if (!s.created)
                        throw Fatal("row id \"" + name + "\" is referenced but never created (e.g. with \"-- --id=" +
                                    name + " create ...\")");
        } catch (const Fatal& e) {
            fatal(e.what());
        } catch (const ParseError& e) {
            fatal(e.what());
        } catch (const Exit& e) {
            std::exit(e.status);
        } catch (const ovsdb::Error& e) {
            fatal(e.what());
        }
        if (again) continue;   // wait-until: wait for the database to change
        warn_unreferenced(symbols);
        view.finish();
        if (!txn.empty()) {
            txn.comment("ovs-vsctl: " + args);
            if (o.wait && !o.dry_run) txn.increment("Open_vSwitch", ctx.ovs->uuid, "next_cfg");
            if (o.dry_run) txn.add_op({{"op", "abort"}});
        }
        ovsdb::idl::Result r = idl->commit_blocking(txn, 0ms);
        if (o.dry_run && r.status == ovsdb::idl::Result::Status::Error && r.error.rfind("aborted", 0) == 0)
            r.status = ovsdb::idl::Result::Status::Success;
        using S = ovsdb::idl::Result::Status;
        if (r.status == S::TryAgain) {
            if (idl->failed()) fatal(o.db + ": database connection failed (" + idl->last_error() + ")");
            continue;
        }
        if (r.status == S::Error) {
            // The server's error object, as Open vSwitch prints it.
            std::string detail = r.error;
            if (r.reply.is_array())
                for (const auto& e : r.reply)
                    if (e.is_object() && e.contains("error")) {
                        detail = e.dump();
                        break;
                    }
            fatal("transaction error: " + detail);
        }
        if (r.status == S::NotLocked) fatal("database not locked");
        changed = r.status == S::Success;
        if (r.increment) next_cfg = *r.increment;
        for (auto& c : commands)
            if (c.syntax->post_create && c.created) c.output = r.real(*c.created).to_string() + "\n";
        break;
    }

    bool first_table = true;
    for (const auto& c : commands) print_output(c, o, &first_table);
    std::fflush(stdout);

    if (o.wait && changed && next_cfg > 0) {
        // Wait for the switch daemon to apply the change; reconnect if the
        // server goes away meanwhile (--timeout still bounds the wait).
        auto applied = [&] {
            const auto* t = idl->table("Open_vSwitch");
            if (!t) return false;
            for (const auto& [u, row] : t->rows())
                if (row.integer("cur_cfg").value_or(0) >= next_cfg) return true;
            return false;
        };
        while (!idl->run_until(applied, 0ms)) {
            if (idl->failed()) {
                io_opts.reconnect = true;
                idl = std::make_unique<ovsdb::idl::Idl>(io, o.db, io_opts);
                idl->start();
            }
        }
        // Interfaces this command added that the switch could not set up.
        bool print_error = false;
        if (const auto* t = idl->table("Interface")) {
            for (const auto& c : commands) {
                if (std::string(c.syntax->name) != "add-port" && std::string(c.syntax->name) != "add-bond" &&
                    std::string(c.syntax->name) != "add-br" && std::string(c.syntax->name) != "add-bond-iface")
                    continue;
                std::vector<std::string> names;
                if (std::string(c.syntax->name) == "add-bond")
                    for (size_t k = 3; k < c.argv.size() && c.argv[k].find('=') == std::string::npos; ++k)
                        names.push_back(c.argv[k]);
                else if (std::string(c.syntax->name) == "add-bond-iface") names.push_back(c.argv[2]);
                else names.push_back(c.argv[std::string(c.syntax->name) == "add-br" ? 1 : 2]);
                for (const auto& n : names)
                    for (const auto* row : t->find_by("name", n)) {
                        auto ofport = row->integer("ofport");
                        if (ofport && *ofport != -1) continue;
                        std::string err = row->string("error");
                        std::fprintf(stderr, "%s: Error detected while setting up '%s'%s.  See ovs-vswitchd log for details.\n",
                                     kProgram, n.c_str(), err.empty() ? "" : (": " + err).c_str());
                        print_error = true;
                    }
            }
        }
        if (print_error)
            std::fprintf(stderr, "%s: The default log directory is \"%s\".\n", kProgram,
                         common::daemon::logdir().c_str());
    }
    return EXIT_SUCCESS;
}
