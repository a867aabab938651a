#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "ovsdb-server/storage.hpp"

using ovsdb::server::Storage;
using ovsdb::server::StorageError;
using json = nlohmann::json;

namespace {

const json kSchema = json::parse(R"({
  "name": "Test", "version": "1.2.3",
  "tables": {
    "T": {"columns": {
      "i": {"type": "integer"},
      "r": {"type": "real"},
      "b": {"type": "boolean"},
      "s": {"type": "string"},
      "u": {"type": "uuid"},
      "set": {"type": {"key": "integer", "min": 0, "max": "unlimited"}},
      "opt": {"type": {"key": "string", "min": 0, "max": 1}},
      "map": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
      "eph": {"type": "integer", "ephemeral": true}}},
    "Other": {"columns": {"name": {"type": "string"}}}}})");

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/vswitch-storage-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
    std::string file(const std::string& n) const { return path + "/" + n; }
};

json row1() {
    return {{"i", 42},
            {"r", 1.5},
            {"b", true},
            {"s", "hello \"world\""},
            {"u", json::array({"uuid", "11111111-2222-3333-4444-555555555555"})},
            {"set", json::array({"set", json::array({1, 2, 3})})},
            {"opt", json::array({"set", json::array()})},
            {"map", json::array({"map", json::array({json::array({"k", "v"})})})}};
}

std::map<std::string, json> load_all(Storage& s) {
    std::map<std::string, json> rows;
    s.load([&](const std::string& t, const std::string& u, const json& cols) { rows[t + "/" + u] = cols; });
    return rows;
}

std::string sql_one(const std::string& db, const std::string& q) {
    sqlite3* h;
    sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s;
    std::string out;
    if (sqlite3_prepare_v2(h, q.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
}

const std::string U1 = "aaaaaaaa-0000-0000-0000-000000000001";
const std::string U2 = "aaaaaaaa-0000-0000-0000-000000000002";

}  // namespace

TEST_CASE("create, commit, reopen: every kind of column round-trips") {
    TempDir d;
    std::string db = d.file("x.db");
    {
        auto s = Storage::create(db, kSchema);
        CHECK(s->name() == "Test");
        CHECK(s->version() == "1.2.3");
        s->commit({{"T", U1, row1()}, {"Other", U2, json{{"name", "o"}}}}, false);
    }
    auto s = Storage::open(db);
    CHECK(s->schema() == kSchema);
    auto rows = load_all(*s);
    REQUIRE(rows.size() == 2);
    CHECK(rows["T/" + U1] == row1());
    CHECK(rows["Other/" + U2] == json{{"name", "o"}});
}

TEST_CASE("the file is readable with plain SQL: scalars native, the rest JSON") {
    TempDir d;
    std::string db = d.file("x.db");
    {
        auto s = Storage::create(db, kSchema);
        s->commit({{"T", U1, row1()}}, true);
    }
    CHECK(sql_one(db, "SELECT i FROM T") == "42");
    CHECK(sql_one(db, "SELECT typeof(i) FROM T") == "integer");
    CHECK(sql_one(db, "SELECT s FROM T") == "hello \"world\"");
    CHECK(sql_one(db, "SELECT u FROM T") == "11111111-2222-3333-4444-555555555555");
    CHECK(json::parse(sql_one(db, "SELECT \"set\" FROM T")) == json::parse(R"(["set",[1,2,3]])"));
    CHECK(json::parse(sql_one(db, "SELECT value FROM _vswitch_meta WHERE key='schema'")) == kSchema);
    // Ephemeral columns are not stored at all.
    CHECK(sql_one(db, "SELECT count(*) FROM pragma_table_info('T') WHERE name='eph'") == "0");
}

TEST_CASE("updates replace rows, deletes remove them, batches commit together") {
    TempDir d;
    std::string db = d.file("x.db");
    auto s = Storage::create(db, kSchema);
    s->commit({{"Other", U1, json{{"name", "a"}}}, {"Other", U2, json{{"name", "b"}}}}, false);
    s->begin_batch();
    s->commit({{"Other", U1, json{{"name", "a2"}}}}, false);
    s->commit({{"Other", U2, std::nullopt}}, false);
    s->end_batch(false);
    auto rows = load_all(*s);
    CHECK(rows.size() == 1);
    CHECK(rows["Other/" + U1] == json{{"name", "a2"}});
    CHECK(s->stats().commits == 2);
}

TEST_CASE("a failing commit leaves nothing behind") {
    TempDir d;
    auto s = Storage::create(d.file("x.db"), kSchema);
    s->commit({{"Other", U1, json{{"name", "keep"}}}}, false);
    CHECK_THROWS_AS(s->commit({{"Other", U2, json{{"name", "new"}}}, {"T", U1, json{{"i", "not an int"}}}}, false),
                    StorageError);
    auto rows = load_all(*s);
    CHECK(rows.size() == 1);
    CHECK(rows.count("Other/" + U2) == 0);
}

TEST_CASE("create refuses an existing file; open refuses foreign and corrupt files clearly") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    CHECK_THROWS_WITH(Storage::create(db, kSchema), Catch::Contains("file exists"));

    std::string text = d.file("text.db");
    std::ofstream(text) << "hello, I am not a database\n";
    CHECK_THROWS_WITH(Storage::open(text), Catch::Contains("not an SQLite file") && Catch::Contains(text));

    std::string ovs = d.file("ovs.db");
    std::ofstream(ovs) << "OVSDB JSON 123 abc\n{}\n";
    CHECK_THROWS_WITH(Storage::open(ovs), Catch::Contains("log-format database"));

    std::string other = d.file("other.db");
    {
        sqlite3* h;
        sqlite3_open(other.c_str(), &h);
        sqlite3_exec(h, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
        sqlite3_close(h);
    }
    CHECK_THROWS_WITH(Storage::open(other), Catch::Contains("not a vswitch database"));

    CHECK_THROWS_WITH(Storage::open(d.file("missing.db")), Catch::Contains("cannot open"));
}

TEST_CASE("damage to the file is detected at open, never half-loaded") {
    TempDir d;
    std::string db = d.file("x.db");
    {
        auto s = Storage::create(db, kSchema);
        std::vector<Storage::Change> many;
        for (int i = 0; i < 2000; ++i) {
            char u[40];
            std::snprintf(u, sizeof u, "bbbbbbbb-0000-0000-0000-%012d", i);
            many.push_back({"Other", u, json{{"name", std::string(100, 'x') + std::to_string(i)}}});
        }
        s->commit(many, true);
    }
    // Scribble over pages in the middle of the file.
    {
        std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096 * 5);
        std::string junk(4096 * 3, '\xA5');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    CHECK_THROWS_WITH(Storage::open(db), Catch::Contains(db) && Catch::Contains("corrupt"));
}

TEST_CASE("a removed column is an inconsistent file") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    {
        sqlite3* h;
        sqlite3_open(db.c_str(), &h);
        sqlite3_exec(h, "ALTER TABLE Other DROP COLUMN name", nullptr, nullptr, nullptr);
        sqlite3_close(h);
    }
    CHECK_THROWS_WITH(Storage::open(db), Catch::Contains("has no column name"));
}

TEST_CASE("two writers cannot share a file; a reader can") {
    TempDir d;
    std::string db = d.file("x.db");
    auto s = Storage::create(db, kSchema);
    CHECK_THROWS_WITH(Storage::open(db), Catch::Contains("locked"));
    CHECK_NOTHROW(Storage::open(db, true));
}

TEST_CASE("replace swaps schema and rows atomically") {
    TempDir d;
    std::string db = d.file("x.db");
    auto s = Storage::create(db, kSchema);
    s->commit({{"Other", U1, json{{"name", "a"}}}}, false);
    json v2 = kSchema;
    v2["version"] = "2.0.0";
    v2["tables"]["Other"]["columns"]["extra"] = {{"type", "integer"}};
    s->replace(v2, {{"Other", U1, json{{"name", "a"}, {"extra", 7}}}});
    s.reset();
    auto r = Storage::open(db);
    CHECK(r->version() == "2.0.0");
    auto rows = load_all(*r);
    CHECK(rows["Other/" + U1] == json{{"name", "a"}, {"extra", 7}});
}

// --- the transaction log (exclusive mode) ------------------------------------

namespace {

// What a kill -9 leaves: the files as they are now, copied elsewhere while
// the Storage still has them open.
std::string snapshot(const TempDir& d, const std::string& db, const std::string& name) {
    std::string to = d.file(name);
    for (const char* suffix : {"", "-wal", "-txlog"}) {
        std::error_code ec;
        std::filesystem::copy_file(db + suffix, to + suffix, ec);
    }
    return to;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The descriptor this process has open on `path`.
int fd_of(const std::string& path) {
    DIR* d = ::opendir("/proc/self/fd");
    int found = -1;
    while (dirent* e = ::readdir(d)) {
        char target[4096];
        std::string link = std::string("/proc/self/fd/") + e->d_name;
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        if (n > 0 && std::string(target, static_cast<size_t>(n)) == path) found = std::atoi(e->d_name);
    }
    ::closedir(d);
    return found;
}

}  // namespace

TEST_CASE("log mode: a commit is in the log at once, in the tables after apply, and survives a kill") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    auto s = Storage::open(db, false, true);
    REQUIRE(s->uses_log());
    s->commit({{"T", U1, row1()}}, false);
    s->commit({{"Other", U2, json{{"name", "b"}}}}, true);
    CHECK(s->log_pending());
    CHECK(read_file(db + "-txlog").find("TXN ") != std::string::npos);

    // Killed now: the tables do not have the rows yet, the log does; the
    // next writer applies it, a reader too (when no server holds the file).
    std::string killed = snapshot(d, db, "killed.db");
    CHECK(sql_one(killed, "SELECT count(*) FROM T") == "0");
    {
        auto r = Storage::open(killed, true);
        auto rows = load_all(*r);
        CHECK(rows["T/" + U1] == row1());
        CHECK(rows["Other/" + U2] == json{{"name", "b"}});
    }
    CHECK(sql_one(killed, "SELECT count(*) FROM T") == "1");
    CHECK(!std::filesystem::exists(killed + "-txlog"));

    s->apply_log();
    CHECK(!s->log_pending());
    CHECK(read_file(db + "-txlog").find("TXN ") == std::string::npos);
    s->commit({{"Other", U2, std::nullopt}}, false);   // and a delete, left in the log
    std::string killed2 = snapshot(d, db, "killed2.db");
    {
        auto r = Storage::open(killed2, false, true);
        auto rows = load_all(*r);
        CHECK(rows.size() == 1);
        CHECK(rows["T/" + U1] == row1());
    }
    // A clean close applies the log and removes it.
    s.reset();
    CHECK(!std::filesystem::exists(db + "-txlog"));
    CHECK(sql_one(db, "SELECT count(*) FROM Other") == "0");
    CHECK(sql_one(db, "SELECT i FROM T") == "42");
}

TEST_CASE("log mode: a torn last record is ignored, a foreign log is refused") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    auto s = Storage::open(db, false, true);
    s->commit({{"Other", U1, json{{"name", "kept"}}}}, false);
    s->commit({{"Other", U2, json{{"name", "torn"}}}}, false);
    std::string killed = snapshot(d, db, "killed.db");
    std::string log = read_file(killed + "-txlog");
    std::filesystem::resize_file(killed + "-txlog", log.size() - 5);   // the last write half done
    std::string foreign = d.file("foreign.db");
    Storage::create(foreign, kSchema).reset();
    std::filesystem::copy_file(killed + "-txlog", foreign + "-txlog");
    {
        auto r = Storage::open(killed, false, true);
        auto rows = load_all(*r);
        CHECK(rows.size() == 1);
        CHECK(rows["Other/" + U1] == json{{"name", "kept"}});
    }
    CHECK_THROWS_WITH(Storage::open(foreign, false, true),
                      Catch::Contains(foreign + "-txlog") && Catch::Contains("another database file"));
    std::ofstream(foreign + "-txlog") << "something else\n";
    CHECK_THROWS_WITH(Storage::open(foreign), Catch::Contains("not a vswitch transaction log"));
}

TEST_CASE("log mode: a commit that does not fit, or cannot be written, leaves nothing behind") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    auto s = Storage::open(db, false, true);
    s->commit({{"Other", U1, json{{"name", "keep"}}}}, false);
    std::string before = read_file(db + "-txlog");
    CHECK_THROWS_AS(s->commit({{"Other", U2, json{{"name", "new"}}}, {"T", U1, json{{"i", "not an int"}}}}, false),
                    StorageError);
    CHECK_THROWS_AS(s->commit({{"Nope", U2, json::object()}}, false), StorageError);
    CHECK(read_file(db + "-txlog") == before);

    // The disk is full: the commit fails with the reason, and is not in the
    // log.  (/dev/full cannot be truncated either, so the log is then known
    // to be unusable and every later commit is refused too.)
    int fd = fd_of(db + "-txlog");
    REQUIRE(fd >= 0);
    int saved = ::dup(fd);
    int full = ::open("/dev/full", O_WRONLY);
    ::dup2(full, fd);
    CHECK_THROWS_WITH(s->commit({{"Other", U2, json{{"name", "lost"}}}}, false),
                      Catch::Contains("write failed") && Catch::Contains("No space"));
    CHECK_THROWS_WITH(s->commit({{"Other", U2, json{{"name", "lost"}}}}, false), Catch::Contains("restart"));
    ::dup2(saved, fd);
    ::close(saved);
    ::close(full);
    std::string killed = snapshot(d, db, "killed.db");
    auto r = Storage::open(killed, true);
    auto rows = load_all(*r);
    CHECK(rows.size() == 1);
    CHECK(rows["Other/" + U1] == json{{"name", "keep"}});
}

TEST_CASE("log mode: a long log is applied by commit itself") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    auto s = Storage::open(db, false, true);
    for (size_t i = 0; i < ovsdb::server::kApplyRows; ++i) {
        char u[40];
        std::snprintf(u, sizeof u, "cccccccc-0000-0000-0000-%012zu", i);
        s->commit({{"Other", u, json{{"name", "n"}}}}, false);
    }
    CHECK(!s->log_pending());
    s.reset();
    CHECK(sql_one(db, "SELECT count(*) FROM Other") == std::to_string(ovsdb::server::kApplyRows));
}

TEST_CASE("exclusive mode: a reader is told that the server holds the file") {
    TempDir d;
    std::string db = d.file("x.db");
    Storage::create(db, kSchema).reset();
    auto s = Storage::open(db, false, true);
    s->commit({{"Other", U1, json{{"name", "a"}}}}, false);
    s->apply_log();
    CHECK_THROWS_WITH(Storage::open(db, true), Catch::Contains(db) && Catch::Contains("locked by the ovsdb-server"));
}
