// ovsdb-client: Open vSwitch's OVSDB command-line client, ours.  Speaks
// JSON-RPC (RFC 7047) directly, like upstream's, and prints with the same
// table formats as ovs-vsctl (utilities/vsctl/table_out).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/daemon.hpp"
#include "common/jsonrpc.hpp"
#include "common/stream.hpp"
#include "common/vlog.hpp"
#include "ovsdb/datum.hpp"
#include "ovsdb/schema.hpp"
#include "ovsdb-server/storage.hpp"
#include "utilities/vsctl/table_out.hpp"

using json = nlohmann::json;
using vsctl::Cell;
using vsctl::OutTable;
using vsctl::Style;

VLOG_DEFINE_THIS_MODULE(ovsdb_client);

namespace {

const char* kProgram = "ovsdb-client";

[[noreturn]] void fatal(const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", kProgram, msg.c_str());
    std::exit(EXIT_FAILURE);
}

struct Options {
    Style style;
    bool timestamp = false;
    bool force = false;   // restore: ignore schema differences
    common::SslConfig ssl;
    unsigned timeout = 0;
    std::vector<std::string> args;
};

Options g_opts;

vlog::Module fatal_signal_module("fatal_signal");

// As Open vSwitch's tools do on a fatal signal (--timeout's alarm, or a
// monitor killed with SIGTERM): log it, then die of the signal.  The main
// thread is blocked in poll or writing output; logging here is safe enough
// for a process about to end.
extern "C" void on_fatal_signal(int sig) {
    vlog::log(fatal_signal_module, vlog::Level::Warn, "terminating with signal %d (%s)", sig, ::strsignal(sig));
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}
bool g_first_table = true;

void print_table(const OutTable& t) {
    std::fputs(vsctl::format_table(t, g_opts.style, &g_first_table).c_str(), stdout);
    std::fflush(stdout);
}

void print_json(const json& j) {
    std::puts(vsctl::json_text(j, g_opts.style.pretty).c_str());
}

// A blocking JSON-RPC session: requests wait for their reply; notifications
// that arrive meanwhile are queued.
class Rpc {
public:
    // Connects; on failure exits with a message, or (fatal_on_failure
    // false) throws.
    explicit Rpc(const std::string& server, bool fatal_on_failure = true) : name_(server) {
        std::string err;
        auto t = common::parse_target(server, &err);
        if (!t || t->passive()) fatal(server + ": " + (err.empty() ? "not an active remote" : err));
        std::unique_ptr<common::Stream> s;
        try {
            s = common::connect_blocking(io_, *t, g_opts.ssl);
        } catch (const std::exception& e) {
            if (!fatal_on_failure) throw;
            std::string why = e.what();
            if (why.rfind(server + ": ", 0) == 0) why = why.substr(server.size() + 2);
            fatal("failed to connect to \"" + server + "\" (" + why + ")");
        }
        conn_ = std::make_shared<common::Connection>(io_, std::move(s));
        conn_->start([this](json m) { on_message(std::move(m)); },
                     [this](const std::string& why) {
                         closed_ = true;
                         why_ = why;
                     });
    }

    // The reply to a request.  If the connection ends first: exits with a
    // message, or (fatal_on_close false) returns null.
    json call(const std::string& method, json params, bool fatal_on_close = true) {
        uint64_t id = next_id_++;
        conn_->send(common::jsonrpc::request(method, std::move(params), id));
        while (!replies_.count(id)) {
            if (closed_) {
                if (!fatal_on_close) return nullptr;
                fatal(name_ + ": connection closed (" + why_ + ")");
            }
            io_.run_one();
        }
        json r = std::move(replies_[id]);
        replies_.erase(id);
        return r;
    }

    // Waits for the next notification; nullopt when the connection ends.
    std::optional<json> next_notification() {
        while (notes_.empty()) {
            if (closed_) return std::nullopt;
            io_.run_one();
        }
        json n = std::move(notes_.front());
        notes_.erase(notes_.begin());
        return n;
    }

    void send(const json& msg) { conn_->send(msg); }
    const std::string& close_reason() const { return why_; }
    const std::string& name() const { return name_; }

private:
    void on_message(json m) {
        if (common::jsonrpc::is_reply(m)) {
            if (m["id"].is_number_unsigned()) {
                uint64_t id = m["id"].get<uint64_t>();   // before m is moved from
                replies_[id] = std::move(m);
            }
        } else if (common::jsonrpc::is_request(m)) {
            if (m["method"] == "echo") conn_->send(common::jsonrpc::reply(m["params"], m["id"]));
        } else {
            notes_.push_back(std::move(m));
        }
    }

    boost::asio::io_context io_;
    std::string name_;
    std::shared_ptr<common::Connection> conn_;
    std::map<uint64_t, json> replies_;
    std::vector<json> notes_;
    uint64_t next_id_ = 0;
    bool closed_ = false;
    std::string why_;
};

json result_or_fatal(const json& reply, const std::string& what) {
    if (!reply["error"].is_null()) fatal(what + ": " + reply["error"].dump());
    return reply["result"];
}

std::vector<std::string> list_dbs(Rpc& rpc) {
    json r = result_or_fatal(rpc.call("list_dbs", json::array()), "list_dbs");
    std::vector<std::string> out;
    for (const auto& d : r) out.push_back(d.get<std::string>());
    return out;
}

ovsdb::DatabaseSchema fetch_schema(Rpc& rpc, const std::string& db) {
    json reply = rpc.call("get_schema", json::array({db}));
    if (!reply["error"].is_null()) fatal("get_schema request specifies unknown database " + db);
    try {
        return ovsdb::DatabaseSchema::from_json(reply["result"]);
    } catch (const std::exception& e) {
        fatal(std::string("bad schema from server: ") + e.what());
    }
}

// Argument handling as Open vSwitch's client does it: an optional SERVER
// first (when more than `min_args` arguments are given and the first one
// starts with a letter and has a colon), then, for commands that need a
// database, an optional DATABASE (again only with more than `min_args`
// arguments left, and only if the server has a database of that name);
// otherwise Open_vSwitch, or the server's only database.  What is left must
// number min_args..max_args.
struct Target {
    std::string server;
    std::unique_ptr<Rpc> rpc;
    std::string db;
    std::vector<std::string> rest;
};

const char* g_command = "";
std::string g_command_name;
constexpr size_t kMany = static_cast<size_t>(-1);

[[noreturn]] void invalid_syntax() {
    fatal(std::string("invalid syntax for '") + g_command + "' (use --help for help)");
}

std::string default_server() { return "unix:" + common::daemon::rundir() + "/db.sock"; }

bool looks_like_server(const std::string& a) {
    return !a.empty() && std::isalpha(static_cast<unsigned char>(a[0])) && a.find(':') != std::string::npos;
}

Target open_target(std::vector<std::string> args, bool need_db, size_t min_args = 0, size_t max_args = kMany) {
    Target t;
    if (args.size() > min_args && looks_like_server(args[0])) {
        t.server = args[0];
        args.erase(args.begin());
    } else {
        t.server = default_server();
    }
    t.rpc = std::make_unique<Rpc>(t.server);
    if (need_db) {
        auto dbs = list_dbs(*t.rpc);
        if (args.size() > min_args && std::find(dbs.begin(), dbs.end(), args[0]) != dbs.end()) {
            t.db = args[0];
            args.erase(args.begin());
        } else if (std::find(dbs.begin(), dbs.end(), "Open_vSwitch") != dbs.end()) {
            t.db = "Open_vSwitch";
        } else {
            std::vector<std::string> user;
            for (const auto& d : dbs)
                if (!d.empty() && d[0] != '_') user.push_back(d);
            if (user.size() != 1) fatal("could not find a default database, please specify a database name");
            t.db = user[0];
        }
    }
    if (args.size() < min_args || args.size() > max_args) invalid_syntax();
    t.rest = std::move(args);
    return t;
}

// A JSON command-line argument; a malformed one ends the program naming the
// argument and where the parser stopped, as Open vSwitch's tools do.
json parse_json_arg(const std::string& s) {
    try {
        return json::parse(s);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // nlohmann's text is "[json.exception.parse_error.101] parse error at
        // line L, column C: MESSAGE"; keep the position and the message.
        if (auto at = what.find("parse error at "); at != std::string::npos) what = what.substr(at + 15);
        fatal("\"" + s + "\": byte " + std::to_string(e.byte) + ", " + what);
    }
}

// ---------------------------------------------------------------- commands

void cmd_list_dbs(std::vector<std::string> args) {
    Target t = open_target(std::move(args), false, 0, 0);
    for (const auto& d : list_dbs(*t.rpc)) std::puts(d.c_str());
}

void cmd_get_schema(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    json r = t.rpc->call("get_schema", json::array({t.db}));
    print_json(result_or_fatal(r, "get_schema"));
}

void cmd_get_schema_version(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    std::puts(fetch_schema(*t.rpc, t.db).version.c_str());
}

void cmd_get_schema_cksum(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    std::puts(fetch_schema(*t.rpc, t.db).cksum.c_str());
}

void cmd_list_tables(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    auto schema = fetch_schema(*t.rpc, t.db);
    OutTable out;
    out.headings = {"Table"};
    for (const auto& [name, ts] : schema.tables) out.rows.push_back({Cell::of_text(name)});
    print_table(out);
}

void cmd_list_columns(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 1);
    auto schema = fetch_schema(*t.rpc, t.db);
    std::string table = t.rest.empty() ? "" : t.rest[0];
    OutTable out;
    if (table.empty()) out.headings.push_back("Table");
    out.headings.push_back("Column");
    out.headings.push_back("Type");
    for (const auto& [name, ts] : schema.tables) {
        if (!table.empty() && table != name) continue;
        std::vector<std::pair<std::string, json>> cols = {
            {"_uuid", "uuid"}, {"_version", "uuid"}};
        for (const auto& c : ts.columns) cols.emplace_back(c.name, c.type.to_json());
        for (auto& [cname, type] : cols) {
            std::vector<Cell> row;
            if (table.empty()) row.push_back(Cell::of_text(name));
            row.push_back(Cell::of_text(cname));
            row.push_back(Cell::of_json(type));
            out.rows.push_back(std::move(row));
        }
    }
    print_table(out);
}

json transact(std::vector<std::string> args, json txn) {
    if (!txn.is_array() || txn.empty() || !txn[0].is_string()) fatal("not a valid OVSDB query");
    // The database is named by the transaction itself.
    Target t = open_target(std::move(args), false, 0, 0);
    json reply = t.rpc->call("transact", txn);
    if (!reply["error"].is_null()) fatal("transaction returned error: " + reply["error"].dump());
    return reply["result"];
}

void cmd_transact(std::vector<std::string> args) {
    if (args.empty() || args.size() > 2) invalid_syntax();
    json txn = parse_json_arg(args.back());
    args.pop_back();
    print_json(transact(std::move(args), txn));
}

void cmd_query(std::vector<std::string> args) {
    if (args.empty() || args.size() > 2) invalid_syntax();
    json txn = parse_json_arg(args.back());
    args.pop_back();
    if (!txn.is_array()) fatal("not a valid OVSDB query");
    txn.push_back({{"op", "abort"}});
    size_t abort_idx = txn.size() - 2;
    json r = transact(std::move(args), txn);
    // Drop the "aborted" result that the abort produced.
    if (r.is_array() && r.size() == abort_idx + 1 && r[abort_idx].is_object() && r[abort_idx].value("error", "") == "aborted")
        r.erase(abort_idx);
    print_json(r);
}

// Datum order as Open vSwitch compares them: size first, then keys, then values.
int compare_3way(const ovsdb::Datum& a, const ovsdb::Datum& b) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a.keys()[i] < b.keys()[i]) return -1;
        if (b.keys()[i] < a.keys()[i]) return 1;
    }
    for (size_t i = 0; i < a.values().size() && i < b.values().size(); ++i) {
        if (a.values()[i] < b.values()[i]) return -1;
        if (b.values()[i] < a.values()[i]) return 1;
    }
    return 0;
}

void cmd_dump(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, kMany);
    auto schema = fetch_schema(*t.rpc, t.db);
    std::vector<std::string> tables;
    std::vector<std::string> only_columns;
    if (!t.rest.empty()) {
        if (!schema.table(t.rest[0])) fatal("No table \"" + t.rest[0] + "\" found.");
        tables.push_back(t.rest[0]);
        for (size_t i = 1; i < t.rest.size(); ++i) {
            if (!schema.table(t.rest[0])->column(t.rest[i]) && t.rest[i] != "_uuid")
                fatal("Table \"" + t.rest[0] + "\" has no column " + t.rest[i] + ".");
            only_columns.push_back(t.rest[i]);
        }
    } else {
        for (const auto& [n, ts] : schema.tables) tables.push_back(n);
    }
    json txn = json::array({t.db});
    std::vector<std::vector<std::string>> cols_of;
    for (const auto& tn : tables) {
        std::vector<std::string> cols;
        if (!only_columns.empty()) cols = only_columns;
        else {
            cols.push_back("_uuid");
            for (const auto& c : schema.table(tn)->columns) cols.push_back(c.name);
        }
        std::sort(cols.begin(), cols.end());
        cols_of.push_back(cols);
        txn.push_back({{"op", "select"}, {"table", tn}, {"where", json::array()}, {"columns", cols}});
    }
    json reply = t.rpc->call("transact", txn);
    json r = result_or_fatal(reply, "transact");
    if (!r.is_array() || r.size() != tables.size()) fatal("reply is not array of " + std::to_string(tables.size()) + " elements: " + r.dump());
    static const ovsdb::Type uuid_type = ovsdb::Type::from_json("uuid");
    for (size_t i = 0; i < tables.size(); ++i) {
        const ovsdb::TableSchema& ts = *schema.table(tables[i]);
        OutTable out;
        out.caption = tables[i] + " table";
        out.headings = cols_of[i];
        std::vector<std::vector<Cell>> rows;
        std::vector<const ovsdb::Type*> out_types;
        for (const auto& c : cols_of[i]) out_types.push_back(c == "_uuid" ? &uuid_type : &ts.column(c)->type);
        for (const auto& row : r[i].value("rows", json::array())) {
            std::vector<Cell> cells;
            for (const auto& c : cols_of[i]) {
                const ovsdb::Type& type = c == "_uuid" ? uuid_type : ts.column(c)->type;
                ovsdb::Type loose = type;
                loose.min = 0;
                loose.max = ovsdb::Type::kUnlimited;
                cells.emplace_back(ovsdb::Datum::from_json(row.at(c), loose, nullptr), type);
            }
            rows.push_back(std::move(cells));
        }
        // Rows in the order Open vSwitch's client prints them: by the
        // columns whose keys are not UUIDs (random, so not reproducible),
        // then by the UUID-keyed ones as tie-breakers.
        std::vector<size_t> order;
        for (int pass = 0; pass < 2; ++pass)
            for (size_t k = 0; k < cols_of[i].size(); ++k) {
                bool is_uuid = out_types[k]->key.type == ovsdb::AtomicType::Uuid;
                if (is_uuid == (pass == 1)) order.push_back(k);
            }
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            for (size_t k : order) {
                int c = compare_3way(a[k].datum, b[k].datum);
                if (c) return c < 0;
            }
            return false;
        });
        out.rows = std::move(rows);
        print_table(out);
    }
}

// monitor / monitor-cond: prints the initial contents and every change.
struct Monitored {
    std::string table;
    std::vector<std::string> columns;
};

void print_update(const ovsdb::DatabaseSchema& schema, const json& updates, const std::vector<Monitored>& mts,
                  bool initial, bool v2) {
    static const ovsdb::Type uuid_type = ovsdb::Type::from_json("uuid");
    for (const auto& mt : mts) {
        const ovsdb::TableSchema& ts = *schema.table(mt.table);
        if (!updates.contains(mt.table)) continue;
        OutTable out;
        out.timestamp = g_opts.timestamp;
        if (mts.size() > 1) out.caption = mt.table;
        out.headings = {"row", "action"};
        for (const auto& c : mt.columns) out.headings.push_back(c);
        auto add = [&](const std::string& uuid, const std::string& action, const json* row) {
            std::vector<Cell> cells = {Cell::of_text(uuid), Cell::of_text(action)};
            for (const auto& c : mt.columns) {
                if (row && row->is_object() && row->contains(c)) {
                    const ovsdb::Type& type = c == "_version" || c == "_uuid" ? uuid_type : ts.column(c)->type;
                    // Diffs (update2 "modify") may hold fewer or more
                    // elements than the column allows.
                    ovsdb::Type loose = type;
                    loose.min = 0;
                    loose.max = ovsdb::Type::kUnlimited;
                    try {
                        cells.emplace_back(ovsdb::Datum::from_json((*row)[c], loose, nullptr), type);
                    } catch (const std::exception&) {
                        cells.push_back(Cell::of_json((*row)[c]));
                    }
                } else {
                    cells.push_back(Cell::missing());
                }
            }
            out.rows.push_back(std::move(cells));
        };
        for (const auto& [uuid, ru] : updates[mt.table].items()) {
            if (v2) {
                for (const char* op : {"delete", "initial", "modify", "insert"}) {
                    if (!ru.contains(op)) continue;
                    if (std::string(op) == "delete") add(uuid, op, nullptr);
                    else add(uuid, op, &ru[op]);
                    break;
                }
            } else {
                const json* oldr = ru.contains("old") ? &ru["old"] : nullptr;
                const json* newr = ru.contains("new") ? &ru["new"] : nullptr;
                if (initial) add(uuid, "initial", newr);
                else if (!oldr) add(uuid, "insert", newr);
                else if (!newr) add(uuid, "delete", oldr);
                else {
                    add(uuid, "old", oldr);
                    add("", "new", newr);
                }
            }
        }
        print_table(out);
    }
}

void monitor(std::vector<std::string> args, bool cond) {
    Target t = cond ? open_target(std::move(args), true, 2, 3) : open_target(std::move(args), true, 1, kMany);
    auto schema = fetch_schema(*t.rpc, t.db);
    json condition = json(true);
    std::string condition_text;
    if (cond) {
        // The table is checked before the condition is parsed.
        condition_text = t.rest[0];
        t.rest.erase(t.rest.begin());
        if (t.rest[0] != "ALL" && !schema.table(t.rest[0]))
            fatal(t.db + " does not have a table named \"" + t.rest[0] + "\"");
        condition = parse_json_arg(condition_text);
    }
    std::vector<Monitored> mts;
    json requests = json::object();
    auto add_table = [&](const std::string& tn, const std::vector<std::string>& specs) {
        const ovsdb::TableSchema* ts = schema.table(tn);
        if (!ts) fatal(t.server + ": " + t.db + " does not have a table named \"" + tn + "\"");
        Monitored m{tn, {}};
        json select = {{"initial", true}, {"insert", true}, {"delete", true}, {"modify", true}};
        bool any_select = false;
        std::string spec;
        for (const auto& one : specs) spec += one + ",";
        std::stringstream ss(spec);
        for (std::string tok; std::getline(ss, tok, ',');) {
            if (tok.empty()) continue;
            if (tok[0] == '!') {
                select[tok.substr(1)] = false;
                any_select = true;
                continue;
            }
            if (!ts->column(tok) && tok != "_version")
                fatal(t.server + ": table \"" + tn + "\" in " + t.db + " does not have a column named \"" + tok + "\"");
            if (std::find(m.columns.begin(), m.columns.end(), tok) != m.columns.end())
                fatal(t.server + ": column \"" + tok + "\" mentioned multiple times");
            m.columns.push_back(tok);
        }
        if (m.columns.empty()) {
            for (const auto& c : ts->columns) m.columns.push_back(c.name);
            std::sort(m.columns.begin(), m.columns.end());
            m.columns.push_back("_version");
        }
        json mr = {{"columns", m.columns}};
        if (any_select) mr["select"] = select;
        if (cond) mr["where"] = condition;
        requests[tn] = json::array({mr});
        mts.push_back(std::move(m));
    };
    if (t.rest[0] == "ALL") {
        for (const auto& [n, ts] : schema.tables) add_table(n, {});
    } else {
        // One table; every further argument is a comma-separated column list.
        add_table(t.rest[0], std::vector<std::string>(t.rest.begin() + 1, t.rest.end()));
    }
    const char* method = cond ? "monitor_cond" : "monitor";
    json reply = t.rpc->call(method, json::array({t.db, json(nullptr), requests}));
    json initial = result_or_fatal(reply, method);
    print_update(schema, initial, mts, true, cond);
    while (auto n = t.rpc->next_notification()) {
        const json& m = *n;
        std::string name = m.value("method", "");
        if ((name == "update" || name == "update2") && m["params"].is_array() && m["params"].size() == 2)
            print_update(schema, m["params"][1], mts, false, name == "update2");
    }
}

void cmd_monitor(std::vector<std::string> args) { monitor(std::move(args), false); }
void cmd_monitor_cond(std::vector<std::string> args) { monitor(std::move(args), true); }

// lock / steal / unlock: sends the request, prints its reply (e.g.
// {"locked":false}), then stays connected printing every notification that
// arrives ("locked" or "stolen", then its params) until killed or the
// connection ends, as Open vSwitch's client does.
void lock_cmd(const char* method, std::vector<std::string> args) {
    Target t = open_target(std::move(args), false, 1, 1);
    const std::string lock = t.rest[0];
    print_json(result_or_fatal(t.rpc->call(method, json::array({lock})), method));
    std::fflush(stdout);
    while (auto n = t.rpc->next_notification()) {
        std::puts(n->value("method", "").c_str());
        print_json((*n)["params"]);
        std::fflush(stdout);
    }
    fatal(t.server + ": receive failed (" + t.rpc->close_reason() + ")");
}

void cmd_lock(std::vector<std::string> a) { lock_cmd("lock", std::move(a)); }
void cmd_steal(std::vector<std::string> a) { lock_cmd("steal", std::move(a)); }
void cmd_unlock(std::vector<std::string> a) { lock_cmd("unlock", std::move(a)); }

// wait [SERVER] DATABASE STATE: blocks until the server has DATABASE
// ("added"), has it connected ("connected"), or has it no more ("removed"),
// through a "wait" operation on _Server's Database table, as Open vSwitch's
// client does.  The server need not be up yet: the connection is retried, and
// made again (with the request) if it drops.
void cmd_wait(std::vector<std::string> args) {
    if (args.size() < 2 || args.size() > 3) invalid_syntax();
    const std::string state = args[args.size() - 1];
    const std::string db = args[args.size() - 2];
    if (state != "added" && state != "connected" && state != "removed") fatal(state + ": unknown state");
    const std::string server = args.size() > 2 ? args[0] : default_server();
    json op = {{"op", "wait"}, {"table", "Database"}, {"where", json::array({json::array({"name", "==", db})})},
               {"until", "=="}};
    if (state == "connected") {
        op["columns"] = json::array({"connected"});
        op["rows"] = json::array({json{{"connected", true}}});
    } else {
        op["columns"] = json::array();
        op["rows"] = state == "added" ? json::array({json::object()}) : json::array();
    }
    const json txn = json::array({"_Server", op});
    unsigned backoff_ms = 100;
    for (;;) {
        std::unique_ptr<Rpc> rpc;
        try {
            rpc = std::make_unique<Rpc>(server, /*fatal_on_failure=*/false);
        } catch (const std::exception&) {
            ::usleep(backoff_ms * 1000);
            backoff_ms = std::min(backoff_ms * 2, 1000u);
            continue;
        }
        backoff_ms = 100;
        json sdca = rpc->call("set_db_change_aware", json::array({true}), /*fatal_on_close=*/false);
        if (sdca.is_object() && sdca.contains("error") && !sdca["error"].is_null())
            fatal(server + ": set_db_change_aware failed (" + sdca["error"].dump() + ")");
        json reply = rpc->call("transact", txn, /*fatal_on_close=*/false);
        if (reply.is_null()) continue;   // connection dropped: try again
        if (!reply["error"].is_null()) fatal("transaction returned error: " + reply["error"].dump());
        for (const auto& r : reply["result"])
            if (r.is_object() && r.contains("error")) fatal("server returned error reply: " + r.dump());
        return;
    }
}

// backup [SERVER] [DATABASE] > FILE: a copy of the database in our file format.
void cmd_backup(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    json schema_json = result_or_fatal(t.rpc->call("get_schema", json::array({t.db})), "get_schema");
    auto schema = ovsdb::DatabaseSchema::from_json(schema_json);
    json txn = json::array({t.db});
    for (const auto& [n, ts] : schema.tables) txn.push_back({{"op", "select"}, {"table", n}, {"where", json::array()}});
    json r = result_or_fatal(t.rpc->call("transact", txn), "transact");
    char tmpl[] = "/tmp/ovsdb-client-backup-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) fatal("cannot create a temporary file");
    ::close(fd);
    ::unlink(tmpl);
    std::string path = tmpl;
    {
        auto st = ovsdb::server::Storage::create(path, schema_json);
        std::vector<ovsdb::server::Storage::Change> changes;
        size_t i = 0;
        for (const auto& [n, ts] : schema.tables) {
            for (const auto& row : r[i].value("rows", json::array())) {
                ovsdb::server::Storage::Change ch;
                ch.table = n;
                ch.uuid = row["_uuid"][1].get<std::string>();
                json cols = json::object();
                for (const auto& [k, v] : row.items())
                    if (k != "_uuid" && k != "_version") cols[k] = v;
                ch.columns = cols;
                changes.push_back(std::move(ch));
            }
            ++i;
        }
        st->commit(changes, true);
    }
    std::ifstream in(path, std::ios::binary);
    std::cout << in.rdbuf();
    std::cout.flush();
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    std::string lock = path.substr(0, path.rfind('/') + 1) + "." + path.substr(path.rfind('/') + 1) + ".~lock~";
    ::unlink(lock.c_str());
}

// restore [SERVER] [DATABASE] < FILE: replaces the database's contents with the file's.
void cmd_restore(std::vector<std::string> args) {
    Target t = open_target(std::move(args), true, 0, 0);
    if (::isatty(STDIN_FILENO)) fatal("not reading backup from a terminal; please redirect stdin from a file");
    const ovsdb::DatabaseSchema online = fetch_schema(*t.rpc, t.db);
    char tmpl[] = "/tmp/ovsdb-client-restore-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) fatal("cannot create a temporary file");
    {
        std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) fatal("write failed");
        ::close(fd);
    }
    std::string path = tmpl;
    json txn = json::array({t.db});
    try {
        auto st = ovsdb::server::Storage::open(path, true);
        if (st->name() != t.db) fatal("backup file is for database " + st->name() + ", not " + t.db);
        auto schema = ovsdb::DatabaseSchema::from_json(st->schema());
        if (schema.to_json() != online.to_json()) {
            std::string why = schema.version != online.version
                ? "backup schema has version \"" + schema.version + "\" but database schema has version \"" +
                      online.version + "\""
                : "backup schema and database schema are both version " + schema.version + " but still differ";
            if (!g_opts.force)
                fatal(why + " (use --force to override differences, or \"ovsdb-tool convert\" to change the schema)");
            VLOG_INFO("%s", why.c_str());
        }
        for (const auto& [n, ts] : schema.tables) txn.push_back({{"op", "delete"}, {"table", n}, {"where", json::array()}});
        st->load([&](const std::string& table, const std::string& uuid, const json& columns) {
            txn.push_back({{"op", "insert"}, {"table", table}, {"uuid", uuid}, {"row", columns}});
        });
    } catch (const std::exception& e) {
        ::unlink(path.c_str());
        fatal(std::string("cannot read the backup: ") + e.what());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    json r = result_or_fatal(t.rpc->call("transact", txn), "transact");
    for (const auto& e : r)
        if (e.is_object() && e.contains("error")) fatal("restore failed: " + e.dump());
}

void usage() {
    std::printf(R"(%s: Open vSwitch database JSON-RPC client
usage: %s [OPTIONS] COMMAND [ARG...]

Valid commands are:

  list-dbs [SERVER]                      list databases available on SERVER
  get-schema [SERVER] [DATABASE]         retrieve schema for DATABASE from SERVER
  get-schema-version [SERVER] [DATABASE] report only the schema's version
  get-schema-cksum [SERVER] [DATABASE]   report only the schema's checksum
  list-tables [SERVER] [DATABASE]        list tables for DATABASE on SERVER
  list-columns [SERVER] [DATABASE] [TABLE]
                                         list columns in TABLE (or all tables)
  transact [SERVER] TRANSACTION          run TRANSACTION (params for "transact")
                                         and print the results as JSON
  query [SERVER] TRANSACTION             the same, read-only (aborted at the end)
  dump [SERVER] [DATABASE] [TABLE [COLUMN]...]
                                         dump contents of DATABASE (or TABLE)
  monitor [SERVER] [DATABASE] TABLE [COLUMN,...]...
                                         monitor contents of COLUMNs in TABLE;
                                         COLUMNs may include !initial, !insert,
                                         !delete, !modify
  monitor [SERVER] [DATABASE] ALL        monitor all columns of all tables
  monitor-cond [SERVER] [DATABASE] CONDITION TABLE [COLUMN,...]
                                         monitor rows that match CONDITION
  lock [SERVER] LOCK                     create or wait for LOCK; prints the
                                         reply, then each notification
                                         ("locked", "stolen") until killed
  steal [SERVER] LOCK                    steal LOCK from its holder, likewise
  unlock [SERVER] LOCK                   unlock LOCK, likewise
  wait [SERVER] DATABASE STATE           wait until DATABASE reaches STATE
                                         ("added", "connected" or "removed")
  backup [SERVER] [DATABASE] > FILE      copy DATABASE to FILE (our SQLite format)
  [--force] restore [SERVER] [DATABASE] < FILE
                                         replace DATABASE's contents with FILE's
                                         (--force: even if the schemas differ)
  help                                   this message

The default SERVER is unix:%s/db.sock; the default DATABASE is Open_vSwitch.

Output formatting options:
  -f, --format=FORMAT         table (default), list, html, csv or json
  -d, --data=FORMAT           string, bare or json
  --no-headings               omit table heading row
  --pretty                    pretty-print JSON in output
  --bare                      equivalent to "--format=list --data=bare --no-headings"
  --timestamp                 timestamp "monitor" output
  --force                     with "restore": ignore schema differences
  --max-column-width=N        limit the width of table columns

SSL options (for ssl: servers):
  -p, --private-key=FILE      file with private key
  -c, --certificate=FILE      file with certificate for private key
  -C, --ca-cert=FILE          file with peer CA certificate
  --bootstrap-ca-cert=FILE    file with peer CA certificate to read or create

Other options:
  -t, --timeout=SECS          give up after SECS seconds
  -v, --verbose[=SPEC]        set logging levels
  -h, --help                  display this help message
  -V, --version               display version information
)",
                kProgram, kProgram, common::daemon::rundir().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    vlog::init(kProgram);
    vlog::set_levels_from_string("console:warn");
    vlog::set_levels_from_string("reconnect:console:off");
    g_opts.style.format = Style::Format::Table;
    const std::set<std::string> with_value = {"format", "data", "private-key", "certificate", "ca-cert",
                                              "bootstrap-ca-cert", "timeout", "max-column-width", "log-file"};
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
            static const std::map<char, std::string> shorts = {{'f', "format"}, {'d', "data"}, {'p', "private-key"},
                                                               {'c', "certificate"}, {'C', "ca-cert"}, {'t', "timeout"},
                                                               {'h', "help"}, {'V', "version"}, {'v', "verbose"}};
            auto it = shorts.find(a[1]);
            if (it == shorts.end()) fatal(std::string("invalid option -- '") + a[1] + "'");
            name = it->second;
            if (a.size() > 2) {
                value = a.substr(2);
                has_value = true;
            }
        }
        if (with_value.count(name) && !has_value) {
            if (i + 1 >= argc) fatal("option '" + a + "' requires an argument");
            value = argv[++i];
        }
        try {
            if (name == "format") g_opts.style.set_format(value);
            else if (name == "data") g_opts.style.set_data(value);
            else if (name == "no-headings") g_opts.style.headings = false;
            else if (name == "pretty") g_opts.style.pretty = true;
            else if (name == "bare") {
                g_opts.style.format = Style::Format::List;
                g_opts.style.data = Style::Data::Bare;
                g_opts.style.headings = false;
            } else if (name == "timestamp") g_opts.timestamp = true;
            else if (name == "force") g_opts.force = true;
            else if (name == "max-column-width") g_opts.style.max_column_width = std::atoi(value.c_str());
            else if (name == "private-key") g_opts.ssl.private_key = value;
            else if (name == "certificate") g_opts.ssl.certificate = value;
            else if (name == "ca-cert") g_opts.ssl.ca_cert = value;
            else if (name == "bootstrap-ca-cert") {
                g_opts.ssl.ca_cert = value;
                g_opts.ssl.bootstrap_ca_cert = true;
            } else if (name == "timeout") {
                int t = std::atoi(value.c_str());
                if (t <= 0) fatal("value " + value + " on -t or --timeout is invalid");
                ::alarm(static_cast<unsigned>(t));
            } else if (name == "verbose") {
                std::string err = vlog::set_levels_from_string(has_value ? value : "dbg");
                if (!err.empty()) fatal(err);
            } else if (name == "log-file") vlog::set_log_file(value);
            else if (name == "help") {
                usage();
                return 0;
            } else if (name == "version") {
                std::printf("%s (vswitch) %s\n", kProgram, VSWITCH_VERSION);
                return 0;
            } else if (name == "no-db-change-aware" || name == "db-change-aware" || name == "detach" ||
                       name == "no-chdir" || name == "pidfile" || name == "monitor") {
                // Accepted for compatibility.
            } else {
                fatal("unrecognized option '" + a + "'");
            }
        } catch (const std::runtime_error& e) {
            fatal(e.what());
        }
    }
    if (i >= argc) fatal("missing command name; use --help for help");
    std::string command = argv[i++];
    g_command_name = command;
    g_command = g_command_name.c_str();
    std::vector<std::string> args(argv + i, argv + argc);
    static const std::map<std::string, void (*)(std::vector<std::string>)> commands = {
        {"list-dbs", cmd_list_dbs}, {"get-schema", cmd_get_schema}, {"get-schema-version", cmd_get_schema_version},
        {"get-schema-cksum", cmd_get_schema_cksum}, {"list-tables", cmd_list_tables},
        {"list-columns", cmd_list_columns}, {"transact", cmd_transact}, {"query", cmd_query}, {"dump", cmd_dump},
        {"monitor", cmd_monitor}, {"monitor-cond", cmd_monitor_cond}, {"lock", cmd_lock}, {"steal", cmd_steal},
        {"unlock", cmd_unlock}, {"wait", cmd_wait}, {"backup", cmd_backup}, {"restore", cmd_restore},
    };
    if (command == "help") {
        usage();
        return 0;
    }
    auto it = commands.find(command);
    if (it == commands.end()) fatal("unknown command '" + command + "'; use --help for help");
    std::signal(SIGPIPE, SIG_IGN);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGALRM}) std::signal(sig, on_fatal_signal);
    it->second(std::move(args));
    return 0;
}
