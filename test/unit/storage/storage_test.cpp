#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
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
