#include "ovsdb-server/storage.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <array>
#include <cstring>
#include <unordered_map>
#include <fstream>
#include <map>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_log);

namespace ovsdb::server {

using json = nlohmann::json;

namespace {

constexpr const char* kMetaTable = "_vswitch_meta";

enum class Kind { Integer, Real, Boolean, String, Uuid, Json };

struct ColumnLayout {
    std::string name;
    Kind kind;
};

struct TableLayout {
    std::string name;
    std::vector<ColumnLayout> columns;   // persistent columns, schema order
    std::map<std::string, size_t> index;
};

std::string quote(const std::string& ident) {
    std::string q = "\"";
    for (char c : ident) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

std::string atomic_type(const json& base) {
    if (base.is_string()) return base.get<std::string>();
    if (base.is_object() && base.contains("type") && base["type"].is_string())
        return base["type"].get<std::string>();
    return "";
}

// How a column is stored: natively when it always holds exactly one atom.
Kind column_kind(const json& type) {
    if (type.is_string()) {
        std::string t = type.get<std::string>();
        if (t == "integer") return Kind::Integer;
        if (t == "real") return Kind::Real;
        if (t == "boolean") return Kind::Boolean;
        if (t == "string") return Kind::String;
        if (t == "uuid") return Kind::Uuid;
        return Kind::Json;
    }
    if (!type.is_object()) return Kind::Json;
    if (type.contains("value")) return Kind::Json;
    int64_t min = type.contains("min") && type["min"].is_number_integer() ? type["min"].get<int64_t>() : 1;
    bool max_one = !type.contains("max") || (type["max"].is_number_integer() && type["max"] == 1);
    if (min != 1 || !max_one) return Kind::Json;
    return column_kind(json(atomic_type(type.contains("key") ? type["key"] : json())));
}

const char* sql_type(Kind k) {
    switch (k) {
    case Kind::Integer:
    case Kind::Boolean: return "INTEGER";
    case Kind::Real: return "REAL";
    default: return "TEXT";
    }
}

std::vector<TableLayout> layout_of(const json& schema) {
    std::vector<TableLayout> out;
    if (!schema.is_object() || !schema.contains("tables") || !schema["tables"].is_object())
        throw StorageError("schema has no \"tables\" object");
    for (auto& [tname, t] : schema["tables"].items()) {
        if (!t.is_object() || !t.contains("columns") || !t["columns"].is_object())
            throw StorageError("table " + tname + " has no \"columns\" object");
        TableLayout tl;
        tl.name = tname;
        for (auto& [cname, c] : t["columns"].items()) {
            if (c.value("ephemeral", false)) continue;
            if (!c.contains("type")) throw StorageError("column " + tname + "." + cname + " has no type");
            tl.index[cname] = tl.columns.size();
            tl.columns.push_back({cname, column_kind(c["type"])});
        }
        out.push_back(std::move(tl));
    }
    return out;
}

// Advisory lock beside the database ("DIR/.NAME.~lock~", as Open vSwitch
// names it), so two writers never share one file.
int take_lock(const std::string& path) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string lock = dir + "/." + base + ".~lock~";
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw StorageError(path + ": cannot create lock file " + lock + " (" + std::strerror(errno) + ")");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw StorageLocked(path + ": database is locked by another process (is an ovsdb-server "
                                  "already using it?)");
    }
    return fd;
}

uint32_t crc32(std::string_view data) {
    static const auto table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xffffffffu;
    for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
    return ~c;
}

std::string log_path_of(const std::string& path) { return path + "-txlog"; }

std::string log_header(const std::string& instance) { return "VSWITCH-TXLOG 1 " + instance + "\n"; }

// True when the transaction log beside `path` holds records.
bool log_has_records(const std::string& path) {
    std::ifstream f(log_path_of(path), std::ios::binary);
    if (!f) return false;
    std::string header;
    std::getline(f, header);
    return f && f.peek() != std::char_traits<char>::eof();
}

std::string random_instance() {
    unsigned char b[16];
    std::ifstream f("/dev/urandom", std::ios::binary);
    f.read(reinterpret_cast<char*>(b), sizeof b);
    char out[40];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

StorageError locked_error(const std::string& path) {
    return StorageError(path + ": database is locked by the ovsdb-server that is using it (it keeps "
                               "the file locked while it runs; stop it, or start it with "
                               "--no-sqlite-exclusive, to read the file meanwhile)");
}

}  // namespace

struct Storage::Impl {
    sqlite3* db = nullptr;
    int lock_fd = -1;
    std::vector<TableLayout> tables;
    std::map<std::string, size_t> table_index;
    std::map<std::string, sqlite3_stmt*> upsert, remove;
    // The statements every commit runs, prepared once (see run()).
    std::map<std::string, sqlite3_stmt*> fixed;
    bool in_txn = false;

    ~Impl() {
        for (auto& [k, s] : upsert) sqlite3_finalize(s);
        for (auto& [k, s] : remove) sqlite3_finalize(s);
        for (auto& [k, s] : fixed) sqlite3_finalize(s);
        if (db) sqlite3_close_v2(db);
        if (lock_fd >= 0) ::close(lock_fd);
    }

    [[noreturn]] void fail(const std::string& what) {
        throw StorageError(what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
    }

    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw StorageError("SQL error (" + msg + ") in: " + sql.substr(0, 200));
        }
    }

    // Runs one statement without results ("BEGIN", "COMMIT", "SAVEPOINT
    // txn", ...) from a cache of prepared statements, sparing the parse
    // that sqlite3_exec() does on every call.
    void run(const char* sql) {
        auto it = fixed.find(sql);
        if (it == fixed.end()) it = fixed.emplace(sql, prepare(sql)).first;
        int rc = sqlite3_step(it->second);
        sqlite3_reset(it->second);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(sql);
    }

    void set_layout(const json& schema) {
        for (auto& [k, s] : upsert) sqlite3_finalize(s);
        for (auto& [k, s] : remove) sqlite3_finalize(s);
        upsert.clear();
        remove.clear();
        tables = layout_of(schema);
        table_index.clear();
        for (size_t i = 0; i < tables.size(); ++i) table_index[tables[i].name] = i;
    }

    const TableLayout& table(const std::string& name) {
        auto it = table_index.find(name);
        if (it == table_index.end()) throw StorageError("unknown table " + name);
        return tables[it->second];
    }

    void create_tables() {
        exec(std::string("CREATE TABLE ") + kMetaTable + " (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        for (const auto& t : tables) {
            std::string sql = "CREATE TABLE " + quote(t.name) + " (\"_uuid\" TEXT PRIMARY KEY NOT NULL";
            for (const auto& c : t.columns) sql += ", " + quote(c.name) + " " + sql_type(c.kind);
            sql += ") WITHOUT ROWID";
            exec(sql);
        }
    }

    sqlite3_stmt* prepare(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            fail("cannot prepare \"" + sql.substr(0, 120) + "\"");
        return s;
    }

    sqlite3_stmt* upsert_stmt(const TableLayout& t) {
        auto it = upsert.find(t.name);
        if (it != upsert.end()) return it->second;
        std::string cols = "\"_uuid\"", vals = "?";
        for (const auto& c : t.columns) {
            cols += ", " + quote(c.name);
            vals += ", ?";
        }
        return upsert[t.name] = prepare("INSERT OR REPLACE INTO " + quote(t.name) + " (" + cols +
                                        ") VALUES (" + vals + ")");
    }

    sqlite3_stmt* remove_stmt(const TableLayout& t) {
        auto it = remove.find(t.name);
        if (it != remove.end()) return it->second;
        return remove[t.name] = prepare("DELETE FROM " + quote(t.name) + " WHERE \"_uuid\" = ?");
    }

    void bind_value(sqlite3_stmt* s, int i, Kind k, const json& v, const std::string& where) {
        auto bad = [&] { throw StorageError("value of " + where + " does not fit its column: " + v.dump()); };
        switch (k) {
        case Kind::Integer:
            if (!v.is_number_integer()) bad();
            sqlite3_bind_int64(s, i, v.get<int64_t>());
            return;
        case Kind::Real:
            if (!v.is_number()) bad();
            sqlite3_bind_double(s, i, v.get<double>());
            return;
        case Kind::Boolean:
            if (!v.is_boolean()) bad();
            sqlite3_bind_int(s, i, v.get<bool>() ? 1 : 0);
            return;
        case Kind::String:
            if (!v.is_string()) bad();
            {
                const std::string& str = v.get_ref<const std::string&>();
                sqlite3_bind_text(s, i, str.data(), static_cast<int>(str.size()), SQLITE_TRANSIENT);
            }
            return;
        case Kind::Uuid:
            if (!v.is_array() || v.size() != 2 || v[0] != "uuid" || !v[1].is_string()) bad();
            {
                const std::string& str = v[1].get_ref<const std::string&>();
                sqlite3_bind_text(s, i, str.data(), static_cast<int>(str.size()), SQLITE_TRANSIENT);
            }
            return;
        case Kind::Json: {
            std::string text = v.dump();
            sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
            return;
        }
        }
    }

    json read_value(sqlite3_stmt* s, int i, Kind k) {
        switch (k) {
        case Kind::Integer: return sqlite3_column_int64(s, i);
        case Kind::Real: return sqlite3_column_double(s, i);
        case Kind::Boolean: return sqlite3_column_int(s, i) != 0;
        case Kind::String:
            return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                               static_cast<size_t>(sqlite3_column_bytes(s, i)));
        case Kind::Uuid:
            return json::array({"uuid", std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                                                    static_cast<size_t>(sqlite3_column_bytes(s, i)))});
        case Kind::Json:
            return json::parse(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                               reinterpret_cast<const char*>(sqlite3_column_text(s, i)) +
                                   sqlite3_column_bytes(s, i));
        }
        return nullptr;
    }

    // The checks write_change() makes, without writing: a change that passes
    // can be written to the transaction log and applied later.
    void check_change(const Change& ch) {
        const TableLayout& t = table(ch.table);
        if (!ch.columns) return;
        const json& cols = *ch.columns;
        if (!cols.is_object()) throw StorageError("row of " + t.name + " is not an object");
        for (const auto& c : t.columns) {
            auto it = cols.find(c.name);
            if (it == cols.end()) continue;
            const json& v = *it;
            bool ok = true;
            switch (c.kind) {
            case Kind::Integer: ok = v.is_number_integer(); break;
            case Kind::Real: ok = v.is_number(); break;
            case Kind::Boolean: ok = v.is_boolean(); break;
            case Kind::String: ok = v.is_string(); break;
            case Kind::Uuid: ok = v.is_array() && v.size() == 2 && v[0] == "uuid" && v[1].is_string(); break;
            case Kind::Json: break;
            }
            if (!ok)
                throw StorageError("value of " + t.name + "." + c.name + " does not fit its column: " + v.dump());
        }
    }

    void write_change(const Change& ch) {
        const TableLayout& t = table(ch.table);
        if (!ch.columns) {
            sqlite3_stmt* s = remove_stmt(t);
            sqlite3_bind_text(s, 1, ch.uuid.data(), static_cast<int>(ch.uuid.size()), SQLITE_TRANSIENT);
            int rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_DONE) fail("delete from " + t.name);
            return;
        }
        sqlite3_stmt* s = upsert_stmt(t);
        sqlite3_clear_bindings(s);
        sqlite3_bind_text(s, 1, ch.uuid.data(), static_cast<int>(ch.uuid.size()), SQLITE_TRANSIENT);
        const json& cols = *ch.columns;
        for (size_t i = 0; i < t.columns.size(); ++i) {
            auto it = cols.find(t.columns[i].name);
            if (it == cols.end()) continue;   // NULL: the column's default on load
            bind_value(s, static_cast<int>(i) + 2, t.columns[i].kind, *it, t.name + "." + t.columns[i].name);
        }
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) fail("write to " + t.name);
    }

    void put_meta(const std::string& k, const std::string& v) {
        sqlite3_stmt* s = prepare(std::string("INSERT OR REPLACE INTO ") + kMetaTable + " VALUES (?, ?)");
        sqlite3_bind_text(s, 1, k.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, v.c_str(), -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) fail("write metadata");
    }
};

namespace {

std::unique_ptr<Storage::Impl> open_sqlite(const std::string& path, int flags, int busy_ms = 5000) {
    auto impl = std::make_unique<Storage::Impl>();
    if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
        std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
        throw StorageError(path + ": cannot open (" + msg + ")");
    }
    sqlite3_extended_result_codes(impl->db, 1);
    sqlite3_busy_timeout(impl->db, busy_ms);
    return impl;
}

bool starts_with_file(const std::string& path, const char* magic) {
    std::ifstream f(path, std::ios::binary);
    std::string head(std::strlen(magic), '\0');
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    return f && head == magic;
}

}  // namespace

Storage::Storage(std::string path, json schema, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), schema_(std::move(schema)), impl_(std::move(impl)) {}

Storage::~Storage() {
    if (impl_ && impl_->in_txn) {
        // An unfinished batch is never half-written: roll it back.
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        impl_->in_txn = false;
    }
    if (log_fd_ >= 0) {
        // A clean stop leaves every transaction in the tables and no log.
        bool applied = false;
        try {
            apply_log();
            applied = !log_broken_;
        } catch (const std::exception& e) {
            VLOG_ERR("%s: %s (the transactions stay in %s for the next start)", path_.c_str(), e.what(),
                     log_path_.c_str());
        }
        ::close(log_fd_);
        log_fd_ = -1;
        if (applied) ::unlink(log_path_.c_str());
    }
}

std::unique_ptr<Storage> Storage::create(const std::string& path, const json& schema) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) throw StorageError(path + ": file exists");
    if (!schema.is_object() || !schema.contains("name") || !schema["name"].is_string())
        throw StorageError("schema has no \"name\"");
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    {
        auto impl = open_sqlite(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        try {
            impl->set_layout(schema);
            impl->exec("PRAGMA journal_mode=DELETE");
            impl->exec("BEGIN");
            impl->create_tables();
            impl->put_meta("format", kStorageFormat);
            impl->put_meta("format_version", std::to_string(kStorageFormatVersion));
            impl->put_meta("name", schema["name"].get<std::string>());
            impl->put_meta("version", schema.value("version", ""));
            impl->put_meta("schema", schema.dump());
            impl->put_meta("instance", random_instance());
            impl->exec("COMMIT");
            impl->exec("PRAGMA journal_mode=WAL");
        } catch (...) {
            impl.reset();
            ::unlink(tmp.c_str());
            throw;
        }
    }
    // A transaction log left beside an earlier file of this name belongs to
    // that file, not to this one.
    ::unlink(log_path_of(path).c_str());
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw StorageError(path + ": cannot create (" + std::strerror(errno) + ")");
    }
    return open(path);
}

std::unique_ptr<Storage> Storage::open(const std::string& path, bool read_only, bool exclusive) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw StorageError(path + ": cannot open database (" + std::strerror(errno) + ")");
    if (starts_with_file(path, "OVSDB JSON") || starts_with_file(path, "OVSDB CLUSTER"))
        throw StorageError(path + ": this is an Open vSwitch log-format database, not a vswitch "
                                  "SQLite database; create one with our ovsdb-tool and copy the "
                                  "data with ovsdb-client backup/restore");
    if (!starts_with_file(path, "SQLite format 3"))
        throw StorageError(path + ": not a vswitch database (not an SQLite file)");
    if (read_only && log_has_records(path)) {
        // A server was killed before its last transactions reached the
        // tables: apply them first, as the next server would, unless a
        // server holds the file (and so has applied them itself).
        try {
            open(path, false, false);
        } catch (const StorageLocked&) {
        } catch (const StorageError& e) {
            throw StorageError(std::string(e.what()) + " (" + log_path_of(path) +
                               " holds transactions that are not in the file yet: they are applied by "
                               "the next ovsdb-server or ovsdb-tool that can write the file)");
        }
    }
    int lock_fd = read_only ? -1 : take_lock(path);
    std::unique_ptr<Impl> impl;
    try {
        // A reader waits only briefly for a server that keeps the file
        // locked (exclusive mode never lets go while it runs).
        impl = open_sqlite(path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                           read_only ? 1000 : 5000);
    } catch (...) {
        if (lock_fd >= 0) ::close(lock_fd);
        throw;
    }
    impl->lock_fd = lock_fd;
    // Before the first read, so that the WAL index lives in this process's
    // memory instead of a shared -shm file.
    if (exclusive && !read_only) impl->exec("PRAGMA locking_mode=EXCLUSIVE");
    auto fail = [&](const std::string& why) -> StorageError { return StorageError(path + ": " + why); };

    // Integrity first: a damaged file is refused, never half-loaded.
    sqlite3_stmt* s = nullptr;
    int rc;
    {
        if ((rc = sqlite3_prepare_v2(impl->db, "PRAGMA quick_check", -1, &s, nullptr)) != SQLITE_OK) {
            if (is_busy(rc)) throw locked_error(path);
            throw fail(std::string("not a usable SQLite database (") + sqlite3_errmsg(impl->db) + ")");
        }
        std::string check;
        while (sqlite3_step(s) == SQLITE_ROW) {
            const char* t = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
            if (t && std::string(t) != "ok") check += std::string(t) + "; ";
        }
        rc = sqlite3_finalize(s);
        if (is_busy(rc)) throw locked_error(path);
        if (rc != SQLITE_OK)
            throw fail(std::string("database file is corrupt (") + sqlite3_errmsg(impl->db) + ")");
        if (!check.empty()) throw fail("database file is corrupt: " + check);
    }

    std::map<std::string, std::string> meta;
    std::string sql = std::string("SELECT key, value FROM ") + kMetaTable;
    if ((rc = sqlite3_prepare_v2(impl->db, sql.c_str(), -1, &s, nullptr)) != SQLITE_OK) {
        if (is_busy(rc)) throw locked_error(path);
        if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
            throw fail(std::string("database file is corrupt (") + sqlite3_errmsg(impl->db) + ")");
        throw fail("not a vswitch database (no " + std::string(kMetaTable) + " table)");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        meta[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] =
            reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    if (is_busy(rc)) throw locked_error(path);
    if (rc != SQLITE_DONE) throw fail(std::string("database file is corrupt (") + sqlite3_errmsg(impl->db) + ")");
    if (meta["format"] != kStorageFormat) throw fail("not a vswitch database (format \"" + meta["format"] + "\")");
    if (meta["format_version"] != std::to_string(kStorageFormatVersion))
        throw fail("unsupported storage format version " + meta["format_version"]);
    json schema;
    try {
        schema = json::parse(meta["schema"]);
    } catch (const std::exception& e) {
        throw fail(std::string("stored schema is not valid JSON (") + e.what() + ")");
    }
    try {
        impl->set_layout(schema);
    } catch (const StorageError& e) {
        throw fail(std::string("stored schema is invalid: ") + e.what());
    }
    // Every table and column the schema promises must be there.
    for (const auto& t : impl->tables) {
        std::map<std::string, bool> have;
        std::string q = "PRAGMA table_info(" + quote(t.name) + ")";
        sqlite3_prepare_v2(impl->db, q.c_str(), -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW) have[reinterpret_cast<const char*>(sqlite3_column_text(s, 1))] = true;
        sqlite3_finalize(s);
        if (!have["_uuid"]) throw fail("table " + t.name + " is missing or has no _uuid column");
        for (const auto& c : t.columns)
            if (!have[c.name]) throw fail("table " + t.name + " has no column " + c.name);
    }
    if (!read_only) {
        impl->exec("PRAGMA journal_mode=WAL");
        impl->exec("PRAGMA synchronous=NORMAL");
        // Fewer, larger checkpoints.  The rows live in the server's memory
        // and SQLite only writes them (and reads them once at start), so
        // its page cache stays small (2 MiB: the interior pages of large
        // tables; leaves come from the kernel's cache).
        impl->exec("PRAGMA wal_autocheckpoint=4000");
        impl->exec("PRAGMA cache_size=-2048");
        if (meta["instance"].empty()) {
            // Files made before the transaction log get their identity now.
            meta["instance"] = random_instance();
            impl->exec("BEGIN");
            impl->put_meta("instance", meta["instance"]);
            impl->exec("COMMIT");
        }
    }
    auto storage = std::unique_ptr<Storage>(new Storage(path, std::move(schema), std::move(impl)));
    storage->instance_ = meta["instance"];
    storage->log_path_ = log_path_of(path);
    if (!read_only) {
        storage->replay_log();
        if (exclusive) storage->open_log();
    }
    return storage;
}

void Storage::load(const std::function<void(const std::string&, const std::string&, const json&)>& fn) {
    for (const auto& t : impl_->tables) {
        std::string cols = "\"_uuid\"";
        for (const auto& c : t.columns) cols += ", " + quote(c.name);
        sqlite3_stmt* s = impl_->prepare("SELECT " + cols + " FROM " + quote(t.name));
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            std::string uuid(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
            json row = json::object();
            for (size_t i = 0; i < t.columns.size(); ++i) {
                int ci = static_cast<int>(i) + 1;
                if (sqlite3_column_type(s, ci) == SQLITE_NULL) continue;
                try {
                    row[t.columns[i].name] = impl_->read_value(s, ci, t.columns[i].kind);
                } catch (const std::exception& e) {
                    sqlite3_finalize(s);
                    throw StorageError(path_ + ": row " + uuid + " of table " + t.name + ", column " +
                                       t.columns[i].name + ": unreadable value (" + e.what() + ")");
                }
            }
            fn(t.name, uuid, row);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) throw read_failure(t.name, rc);
    }
}

StorageError Storage::read_failure(const std::string& table, int rc) const {
    std::string why = sqlite3_errmsg(impl_->db);
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        return StorageError(path_ + ": database file is corrupt (" + why + ", reading table " + table + ")");
    return StorageError(path_ + ": reading table " + table + " failed (" + why + ")");
}

void Storage::load_cells(const std::function<void(const std::string&, const std::vector<std::string>&)>& table_fn,
                         const std::function<void(std::string_view, const std::vector<Cell>&)>& row_fn) {
    using K = Cell::Kind;
    for (const auto& t : impl_->tables) {
        std::string cols = "\"_uuid\"";
        std::vector<std::string> names;
        for (const auto& c : t.columns) {
            cols += ", " + quote(c.name);
            names.push_back(c.name);
        }
        table_fn(t.name, names);
        sqlite3_stmt* s = impl_->prepare("SELECT " + cols + " FROM " + quote(t.name));
        std::vector<Cell> cells(t.columns.size());
        int rc;
        try {
            while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                auto text = [s](int i) {
                    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
                    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s, i)))
                             : std::string_view();
                };
                for (size_t i = 0; i < t.columns.size(); ++i) {
                    int ci = static_cast<int>(i) + 1;
                    Cell& c = cells[i];
                    if (sqlite3_column_type(s, ci) == SQLITE_NULL) {
                        c.kind = K::Null;
                        continue;
                    }
                    switch (t.columns[i].kind) {
                    case Kind::Integer: c.kind = K::Integer; c.integer = sqlite3_column_int64(s, ci); break;
                    case Kind::Boolean: c.kind = K::Boolean; c.integer = sqlite3_column_int64(s, ci) != 0; break;
                    case Kind::Real: c.kind = K::Real; c.real = sqlite3_column_double(s, ci); break;
                    case Kind::String: c.kind = K::String; c.text = text(ci); break;
                    case Kind::Uuid: c.kind = K::Uuid; c.text = text(ci); break;
                    case Kind::Json: c.kind = K::Json; c.text = text(ci); break;
                    }
                }
                row_fn(text(0), cells);
            }
        } catch (...) {
            sqlite3_finalize(s);
            throw;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) throw read_failure(t.name, rc);
    }
}

void Storage::begin() {
    if (!impl_->in_txn) {
        impl_->run("BEGIN");
        impl_->in_txn = true;
    }
}

void Storage::finish(bool durable) {
    if (!impl_->in_txn) return;
    try {
        impl_->run("COMMIT");
    } catch (...) {
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        impl_->in_txn = false;
        throw;
    }
    impl_->in_txn = false;
    ++stats_.commits;
    // synchronous=NORMAL leaves the WAL in the page cache (safe from kill -9);
    // a durable commit also forces it to the disk (safe from power loss).
    if (durable) sync_to_disk();
}

void Storage::sync_to_disk() {
    for (const std::string& f : {path_ + "-wal", path_}) {
        int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;   // no WAL right after a checkpoint: nothing to sync there
        int rc = ::fsync(fd);
        ::close(fd);
        if (rc != 0) throw StorageError(f + ": fsync failed (" + std::strerror(errno) + ")");
    }
    sync_dir();
}

void Storage::sync_dir() {
    auto slash = path_.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void Storage::replay_log() {
    std::ifstream f(log_path_, std::ios::binary);
    if (!f) return;
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    f.close();
    auto bad = [&](const std::string& why) { return StorageError(log_path_ + ": " + why); };
    size_t nl = data.find('\n');
    std::string header = nl == std::string::npos ? data : data.substr(0, nl + 1);
    if (data.empty()) {
        ::unlink(log_path_.c_str());
        return;
    }
    if (header.rfind("VSWITCH-TXLOG 1 ", 0) != 0)
        throw bad("not a vswitch transaction log; move it away to open " + path_ + " without it");
    if (header != log_header(instance_))
        throw bad("transaction log of another database file (" + header.substr(16, 36) + ", while " + path_ +
                  " is " + instance_ + "); move it away to open the file without it");
    std::vector<json> records;
    size_t pos = header.size();
    while (pos < data.size()) {
        size_t eol = data.find('\n', pos);
        unsigned long len = 0;
        unsigned crc = 0;
        char tail = 0;
        if (eol == std::string::npos ||
            std::sscanf(data.substr(pos, eol - pos).c_str(), "TXN %lu %8x%c", &len, &crc, &tail) != 2 ||
            eol + 1 + len + 1 > data.size() || data[eol + 1 + len] != '\n' ||
            crc32(std::string_view(data).substr(eol + 1, len)) != crc) {
            // Only the last write can be incomplete (a power loss while it
            // was on its way to the disk): nothing after it was acknowledged.
            VLOG_WARN("%s: ignoring %zu bytes at offset %zu that are not a complete record", log_path_.c_str(),
                      data.size() - pos, pos);
            break;
        }
        try {
            records.push_back(json::parse(std::string_view(data).substr(eol + 1, len)));
        } catch (const std::exception& e) {
            throw bad("record at offset " + std::to_string(pos) + " is not valid JSON (" + e.what() + ")");
        }
        pos = eol + 1 + len + 1;
    }
    if (!records.empty()) {
        impl_->run("BEGIN");
        impl_->in_txn = true;
        size_t rows = 0;
        try {
            for (const auto& rec : records) {
                if (!rec.is_array()) throw bad("a record is not a JSON array");
                for (const auto& c : rec) {
                    if (!c.is_array() || c.size() != 3 || !c[0].is_string() || !c[1].is_string())
                        throw bad("a change is not [TABLE, UUID, ROW]");
                    Change ch{c[0].get<std::string>(), c[1].get<std::string>(), std::nullopt};
                    if (!c[2].is_null()) ch.columns = c[2];
                    impl_->check_change(ch);
                    impl_->write_change(ch);
                    ++rows;
                }
            }
            impl_->run("COMMIT");
        } catch (const StorageError& e) {
            sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
            impl_->in_txn = false;
            if (std::string(e.what()).rfind(log_path_, 0) == 0) throw;
            throw bad(e.what());
        }
        impl_->in_txn = false;
        // The records may have been durable: they leave the log only once
        // they are on the disk in the file.
        sync_to_disk();
        VLOG_INFO("%s: applied %zu transactions (%zu rows) left by a server that did not stop cleanly",
                  log_path_.c_str(), records.size(), rows);
    }
    if (::unlink(log_path_.c_str()) != 0 && errno != ENOENT)
        throw bad(std::string("cannot remove (") + std::strerror(errno) + ")");
}

void Storage::open_log() {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw StorageError(log_path_ + ": cannot create (" + std::strerror(errno) + ")");
    std::string header = log_header(instance_);
    if (::write(fd, header.data(), header.size()) != static_cast<ssize_t>(header.size())) {
        int e = errno;
        ::close(fd);
        ::unlink(log_path_.c_str());
        throw StorageError(log_path_ + ": cannot write (" + std::strerror(e) + ")");
    }
    log_fd_ = fd;
    log_size_ = log_header_ = header.size();
    log_dir_synced_ = false;
}

void Storage::log_commit(const std::vector<Change>& changes, bool durable) {
    if (log_broken_)
        throw StorageError(log_path_ + ": an earlier write failed and could not be undone; restart the server");
    for (const auto& ch : changes) impl_->check_change(ch);
    // One record: "TXN <length> <crc32>\n" and the changes as JSON, one
    // [TABLE, UUID, ROW-or-null] each (table names and UUIDs need no
    // escaping).
    std::string payload = "[";
    for (const auto& ch : changes) {
        if (payload.size() > 1) payload += ',';
        payload += "[\"";
        payload += ch.table;
        payload += "\",\"";
        payload += ch.uuid;
        payload += "\",";
        payload += ch.columns ? ch.columns->dump(-1, ' ', false, json::error_handler_t::replace) : "null";
        payload += ']';
    }
    payload += ']';
    char head[48];
    int n = std::snprintf(head, sizeof head, "TXN %zu %08x\n", payload.size(), crc32(payload));
    std::string rec;
    rec.reserve(static_cast<size_t>(n) + payload.size() + 1);
    rec.append(head, static_cast<size_t>(n));
    rec += payload;
    rec += '\n';
    auto undo = [&](const char* what) {
        int e = errno;
        // Nothing of a failed commit may stay behind to be replayed.
        if (::ftruncate(log_fd_, static_cast<off_t>(log_size_)) != 0) log_broken_ = true;
        throw StorageError(log_path_ + ": " + what + " failed (" + std::strerror(e) + ")");
    };
    size_t done = 0;
    while (done < rec.size()) {
        ssize_t w = ::write(log_fd_, rec.data() + done, rec.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            undo("write");
        }
        done += static_cast<size_t>(w);
    }
    if (durable) {
        if (::fdatasync(log_fd_) != 0) undo("fdatasync");
        // The first durable commit also puts the log's name on the disk.
        if (!log_dir_synced_) {
            sync_dir();
            log_dir_synced_ = true;
        }
    }
    log_size_ += rec.size();
    for (const auto& ch : changes) {
        // Only a row's last state matters to the tables.
        std::string key = ch.table + '/' + ch.uuid;
        auto [it, fresh] = unapplied_index_.emplace(std::move(key), unapplied_.size());
        if (fresh)
            unapplied_.push_back(ch);
        else
            unapplied_[it->second] = ch;
        ++stats_.rows_written;
    }
    unapplied_durable_ = unapplied_durable_ || durable;
    ++stats_.commits;
    if (unapplied_.size() >= kApplyRows || log_size_ >= kApplyBytes) {
        try {
            apply_log();
        } catch (const std::exception& e) {
            // The transactions are safe in the log; the next try may work.
            VLOG_ERR("%s: applying the transaction log failed: %s", path_.c_str(), e.what());
        }
    }
}

void Storage::apply_log() {
    if (log_fd_ < 0 || unapplied_.empty()) return;
    if (impl_->in_txn) throw StorageError("apply_log() inside a batch");
    impl_->run("BEGIN");
    impl_->in_txn = true;
    try {
        for (const auto& ch : unapplied_) impl_->write_change(ch);
        impl_->run("COMMIT");
    } catch (...) {
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        impl_->in_txn = false;
        throw;
    }
    impl_->in_txn = false;
    // A durable commit among them was promised to survive a power loss:
    // the tables must be on the disk before the log lets go of it.
    if (unapplied_durable_) sync_to_disk();
    unapplied_.clear();
    unapplied_index_.clear();
    unapplied_durable_ = false;
    // If this fails the records stay and are applied again at the next
    // start, which changes nothing (each is a row's whole state).
    if (::ftruncate(log_fd_, static_cast<off_t>(log_header_)) == 0) log_size_ = log_header_;
}

void Storage::commit(const std::vector<Change>& changes, bool durable) {
    if (log_fd_ >= 0) {
        log_commit(changes, durable);
        return;
    }
    begin();
    // Inside a batch each transaction is a savepoint, so a failing one is
    // undone alone and the others of the batch still commit together.
    bool batched = batch_depth_ > 0;
    if (batched) impl_->run("SAVEPOINT txn");
    try {
        for (const auto& ch : changes) {
            impl_->write_change(ch);
            ++stats_.rows_written;
        }
    } catch (...) {
        if (batched) {
            sqlite3_exec(impl_->db, "ROLLBACK TO txn; RELEASE txn", nullptr, nullptr, nullptr);
        } else {
            sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
            impl_->in_txn = false;
        }
        throw;
    }
    if (batched) {
        impl_->run("RELEASE txn");
        batch_durable_ = batch_durable_ || durable;
        return;
    }
    finish(durable);
}

void Storage::begin_batch() {
    if (batch_depth_++ == 0) batch_durable_ = false;
}

void Storage::end_batch(bool durable) {
    if (batch_depth_ == 0) return;
    if (--batch_depth_ > 0) return;
    finish(durable || batch_durable_);
}

void Storage::replace(const json& new_schema, const std::vector<Change>& all_rows) {
    if (impl_->in_txn) throw StorageError("replace() inside a batch");
    apply_log();
    auto old_tables = impl_->tables;
    impl_->exec("BEGIN");
    impl_->in_txn = true;
    try {
        for (const auto& t : old_tables) impl_->exec("DROP TABLE " + quote(t.name));
        impl_->exec(std::string("DROP TABLE ") + kMetaTable);
        impl_->set_layout(new_schema);
        impl_->create_tables();
        impl_->put_meta("format", kStorageFormat);
        impl_->put_meta("format_version", std::to_string(kStorageFormatVersion));
        impl_->put_meta("name", new_schema.value("name", ""));
        impl_->put_meta("version", new_schema.value("version", ""));
        impl_->put_meta("schema", new_schema.dump());
        for (const auto& ch : all_rows) impl_->write_change(ch);
        impl_->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        impl_->in_txn = false;
        impl_->set_layout(schema_);
        throw;
    }
    impl_->in_txn = false;
    schema_ = new_schema;
    sync_to_disk();
}

std::optional<std::string> Storage::get_meta(const std::string& key) {
    sqlite3_stmt* s = impl_->prepare(std::string("SELECT value FROM ") + kMetaTable + " WHERE key = ?");
    sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    std::optional<std::string> v;
    if (sqlite3_step(s) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

void Storage::set_meta(const std::string& key, const std::string& value) {
    bool own = !impl_->in_txn;
    if (own) begin();
    impl_->put_meta(key, value);
    if (own) finish(false);
}

}  // namespace ovsdb::server
