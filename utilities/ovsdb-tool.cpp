// ovsdb-tool: maintenance of vswitch database files (our SQLite format),
// with the commands and messages of Open vSwitch's ovsdb-tool.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/daemon.hpp"
#include "common/vlog.hpp"
#include "ovsdb-server/database.hpp"
#include "ovsdb-server/storage.hpp"
#include "ovsdb-server/transaction.hpp"
#include "ovsdb/schema.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_tool);

namespace {

using ovsdb::json;
using ovsdb::server::Storage;

const char* kProgram = "ovsdb-tool";

[[noreturn]] void die(const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", kProgram, msg.c_str());
    std::exit(1);
}

std::string default_db() { return common::daemon::dbdir() + "/conf.db"; }
std::string default_schema() {
    const char* e = std::getenv("OVS_PKGDATADIR");
    return std::string(e && *e ? e : "/usr/share/vswitch") + "/vswitch.ovsschema";
}

json read_json_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) die(path + ": open failed (" + std::strerror(errno) + ")");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return json::parse(ss.str());
    } catch (const std::exception& e) {
        die(path + ": " + e.what());
    }
}

ovsdb::DatabaseSchema read_schema(const std::string& path) {
    json j = read_json_file(path);
    try {
        return ovsdb::DatabaseSchema::from_json(j);
    } catch (const ovsdb::Error& e) {
        die(path + ": " + e.details());
    }
}

std::unique_ptr<Storage> open_db(const std::string& path, bool read_only) {
    try {
        return Storage::open(path, read_only);
    } catch (const std::exception& e) {
        die(e.what());
    }
}

// Open vSwitch's schema checksum: CRC-32 of the schema text without its own
// "cksum" member, as printed by `ovsdb-tool schema-cksum`.
uint32_t crc32(const std::string& s) {
    uint32_t c = 0xffffffffu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

void usage() {
    std::printf(
        "%s: vswitch database management utility\n"
        "usage: %s [OPTIONS] COMMAND [ARG...]\n"
        "  create [DB [SCHEMA]]    create DB with the given SCHEMA\n"
        "  db-name [DB]            report name of schema used by DB\n"
        "  db-version [DB]         report version of schema used by DB\n"
        "  db-cksum [DB]           report checksum of schema used by DB\n"
        "  schema-name [SCHEMA]    report SCHEMA's name\n"
        "  schema-version [SCHEMA] report SCHEMA's schema version\n"
        "  schema-cksum [SCHEMA]   report SCHEMA's checksum\n"
        "  needs-conversion [DB [SCHEMA]]  does DB need conversion to SCHEMA? (yes/no)\n"
        "  convert [DB [SCHEMA [TARGET]]]  convert DB to SCHEMA, keeping what fits\n"
        "  query [DB] TRNS         execute read-only transaction on DB\n"
        "  transact [DB] TRNS      execute read/write transaction on DB\n"
        "  show-log [DB]           print a summary of DB's contents and storage\n"
        "The default DB is %s.\n"
        "The default SCHEMA is %s.\n"
        "\nOther options:\n"
        "  -v, --verbose[=SPEC]    set logging levels\n"
        "  -h, --help              display this help message\n"
        "  -V, --version           display version information\n",
        kProgram, kProgram, default_db().c_str(), default_schema().c_str());
}

int run_transaction(const std::string& db_path, const std::string& text, bool read_only) {
    json txn;
    try {
        txn = json::parse(text);
    } catch (const std::exception& e) {
        die(std::string("transaction is not valid JSON: ") + e.what());
    }
    if (!txn.is_array() || txn.empty() || !txn[0].is_string())
        die("transaction must be an array whose first element is the database name");
    auto storage = open_db(db_path, read_only);
    std::unique_ptr<ovsdb::server::Database> db;
    try {
        db = std::make_unique<ovsdb::server::Database>(std::move(storage));
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (txn[0] != db->name()) die("transaction specifies database " + txn[0].get<std::string>() + " but " + db_path + " holds " + db->name());
    ovsdb::server::TxnContext ctx;
    json ops(txn.begin() + 1, txn.end());
    auto out = ovsdb::server::execute_transaction(*db, ops, ctx);
    if (out.status == ovsdb::server::TxnOutcome::Status::Blocked) die("transaction would block (a \"wait\" is not satisfied)");
    if (!out.error && !out.changes.empty()) {
        if (read_only) die("query must not modify the database");
        try {
            db->commit(out.changes);
        } catch (const std::exception& e) {
            die(e.what());
        }
    }
    std::printf("%s\n", out.result.dump().c_str());
    return 0;
}

int convert(const std::string& db_path, const std::string& schema_path, const std::string& target) {
    ovsdb::DatabaseSchema new_schema = read_schema(schema_path);
    auto storage = open_db(db_path, !target.empty());
    std::vector<Storage::Change> rows;
    unsigned dropped_values = 0, dropped_rows = 0;
    storage->load([&](const std::string& tname, const std::string& uuid, const json& cols) {
        const ovsdb::TableSchema* t = new_schema.table(tname);
        if (!t) {
            ++dropped_rows;
            return;
        }
        json kept = json::object();
        for (auto& [c, v] : cols.items()) {
            const ovsdb::ColumnSchema* cs = t->column(c);
            if (!cs || cs->ephemeral) {
                ++dropped_values;
                continue;
            }
            try {
                auto d = ovsdb::Datum::from_json(v, cs->type, nullptr);
                kept[c] = d.to_json(cs->type);
            } catch (const ovsdb::Error& e) {
                VLOG_WARN("%s row %s: dropping column %s, whose value does not fit the new schema (%s)",
                          tname.c_str(), uuid.c_str(), c.c_str(), e.details().c_str());
                ++dropped_values;
            }
        }
        rows.push_back({tname, uuid, kept});
    });
    if (dropped_rows) VLOG_WARN("dropped %u rows of tables the new schema does not have", dropped_rows);
    try {
        if (target.empty()) {
            storage->replace(new_schema.original, rows);
        } else {
            storage.reset();
            auto out = Storage::create(target, new_schema.original);
            out->commit(rows, true);
        }
    } catch (const std::exception& e) {
        die(e.what());
    }
    (void)dropped_values;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args;
    common::daemon::Options dopts;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            usage();
            return 0;
        }
        if (a == "-V" || a == "--version") {
            std::printf("%s (vswitch) %s\n", kProgram, VSWITCH_VERSION);
            return 0;
        }
        if (a.size() > 1 && a[0] == '-') {
            try {
                if (common::daemon::parse_option(dopts, a)) continue;
            } catch (const std::exception& e) {
                die(e.what());
            }
            die("unrecognized option '" + a + "' (use --help for help)");
        }
        args.push_back(a);
    }
    try {
        common::daemon::start_logging(dopts, kProgram);
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (args.empty()) die("missing command name; use --help for help");
    std::string cmd = args[0];
    auto arg = [&](size_t i, const std::string& dflt) { return args.size() > i ? args[i] : dflt; };
    auto max_args = [&](size_t n) {
        if (args.size() - 1 > n) die("'" + cmd + "' command takes at most " + std::to_string(n) + " arguments");
    };

    if (cmd == "create") {
        max_args(2);
        std::string db = arg(1, default_db()), schema_path = arg(2, default_schema());
        ovsdb::DatabaseSchema s = read_schema(schema_path);
        try {
            Storage::create(db, s.original);
        } catch (const std::exception& e) {
            die(e.what());
        }
        return 0;
    }
    if (cmd == "db-name" || cmd == "db-version" || cmd == "db-cksum") {
        max_args(1);
        auto s = open_db(arg(1, default_db()), true);
        if (cmd == "db-name") std::printf("%s\n", s->name().c_str());
        else if (cmd == "db-version") std::printf("%s\n", s->version().c_str());
        else std::printf("%s\n", s->schema().value("cksum", "").c_str());
        return 0;
    }
    if (cmd == "schema-name" || cmd == "schema-version" || cmd == "schema-cksum") {
        max_args(1);
        std::string path = arg(1, default_schema());
        ovsdb::DatabaseSchema s = read_schema(path);
        if (cmd == "schema-name") std::printf("%s\n", s.name.c_str());
        else if (cmd == "schema-version") std::printf("%s\n", s.version.c_str());
        else {
            json j = s.original;
            j.erase("cksum");
            std::printf("%u %zu\n", crc32(j.dump()), j.dump().size());
        }
        return 0;
    }
    if (cmd == "needs-conversion") {
        max_args(2);
        auto s = open_db(arg(1, default_db()), true);
        ovsdb::DatabaseSchema target = read_schema(arg(2, default_schema()));
        json a = s->schema(), b = target.original;
        a.erase("cksum");
        b.erase("cksum");
        std::printf("%s\n", a == b ? "no" : "yes");
        return 0;
    }
    if (cmd == "convert") {
        max_args(3);
        return convert(arg(1, default_db()), arg(2, default_schema()), arg(3, ""));
    }
    if (cmd == "query" || cmd == "transact") {
        if (args.size() == 2) return run_transaction(default_db(), args[1], cmd == "query");
        if (args.size() == 3) return run_transaction(args[1], args[2], cmd == "query");
        die("'" + cmd + "' command requires [DB] TRNS");
    }
    if (cmd == "show-log") {
        max_args(1);
        std::string path = arg(1, default_db());
        auto s = open_db(path, true);
        std::printf("file: %s\nformat: %s version %d\ndatabase: %s, schema version %s\n", path.c_str(),
                    ovsdb::server::kStorageFormat, ovsdb::server::kStorageFormatVersion, s->name().c_str(),
                    s->version().c_str());
        std::map<std::string, size_t> counts;
        s->load([&](const std::string& t, const std::string&, const json&) { ++counts[t]; });
        for (auto& [name, tj] : s->schema()["tables"].items()) std::printf("  table %s: %zu rows\n", name.c_str(), counts[name]);
        struct stat st;
        if (::stat((path + "-wal").c_str(), &st) == 0)
            std::printf("write-ahead log: %lld bytes not yet checkpointed\n", static_cast<long long>(st.st_size));
        return 0;
    }
    die("unknown command '" + cmd + "'; use --help for help");
}
