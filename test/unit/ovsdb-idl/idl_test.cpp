// The IDL end to end against our server engine, in one process and one
// io_context: sync, commits, other clients' changes, conflicts, lost
// connections and locks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "ovsdb-server/remotes.hpp"
#include "ovsdb-server/rpc.hpp"
#include "ovsdb-server/storage.hpp"
#include "ovsdb/idl/idl.hpp"
#include "schema.hpp"

using namespace ovsdb;
using namespace ovsdb::idl;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Datum str(const std::string& s) { return Datum::scalar(Atom(s)); }

struct Bed {
    boost::asio::io_context io;
    fs::path dir;
    std::string sock;
    std::unique_ptr<server::Server> srv;
    std::unique_ptr<server::Remotes> remotes;

    Bed() {
        dir = fs::temp_directory_path() / ("idl-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::create_directories(dir);
        sock = (dir / "db.sock").string();
        server::Storage::create((dir / "test.db").string(), idl_test::schema_json());
        start_server();
    }
    ~Bed() {
        remotes.reset();
        srv.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void start_server() {
        srv = std::make_unique<server::Server>(io);
        srv->open_database((dir / "test.db").string());
        remotes = std::make_unique<server::Remotes>(io, *srv);
        REQUIRE(remotes->add("punix:" + sock).empty());
    }
    void stop_server() {
        remotes.reset();
        srv.reset();
    }
    std::unique_ptr<Idl> client() {
        Idl::Options o;
        o.database = "Test";
        auto idl = std::make_unique<Idl>(io, "unix:" + sock, o);
        idl->start();
        REQUIRE(idl->run_until([&] { return idl->synced(); }, 5s));
        return idl;
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

Uuid add_root(Idl& idl) {
    Txn t = idl.txn();
    Uuid root = t.insert("Root");
    Result r = idl.commit_blocking(t, 5s);
    REQUIRE(r.status == Result::Status::Success);
    return r.real(root);
}

}  // namespace

TEST_CASE("idl: commits show up in the replica of every client") {
    Bed bed;
    auto a = bed.client();
    auto b = bed.client();
    Uuid root = add_root(*a);

    Txn t = a->txn();
    Uuid br = t.insert("Bridge");
    t.set("Bridge", br, "name", str("br0"));
    t.set("Root", root, "bridges", Datum::scalar(Atom(br)));
    t.verify("Root", root, "bridges");
    Result r = a->commit_blocking(t, 5s);
    REQUIRE(r.status == Result::Status::Success);
    Uuid real = r.real(br);
    CHECK(real != br);
    // The committer's replica is updated before the reply arrives.
    REQUIRE(a->row("Bridge", real));
    CHECK(a->row("Bridge", real)->string("name") == "br0");
    // The other client sees it after its update arrives.
    REQUIRE(b->run_until([&] { return b->row("Bridge", real) != nullptr; }, 5s));
    CHECK(b->table("Root")->find(root)->refs("bridges") == std::vector<Uuid>{real});
    CHECK(b->table("Bridge")->changes().at(real).kind == RowChange::Kind::Inserted);
}

TEST_CASE("idl: a concurrent change of a verified column means try again") {
    Bed bed;
    auto a = bed.client();
    auto b = bed.client();
    Uuid root = add_root(*a);
    REQUIRE(b->run_until([&] { return b->row("Root", root) != nullptr; }, 5s));

    // b reads next_cfg, a changes it meanwhile, b's verify fails.
    Txn tb = b->txn();
    tb.verify("Root", root, "next_cfg");
    tb.set("Root", root, "cur_cfg", Datum::scalar(Atom(int64_t{1})));
    Txn ta = a->txn();
    ta.increment("Root", root, "next_cfg");
    Result ra = a->commit_blocking(ta, 5s);
    REQUIRE(ra.status == Result::Status::Success);
    CHECK(ra.increment == 1);
    Result rb = b->commit_blocking(tb, 5s);
    CHECK(rb.status == Result::Status::TryAgain);
    // Retried on fresh data, it goes through.
    REQUIRE(b->run_until([&] { return b->row("Root", root)->integer("next_cfg") == 1; }, 5s));
    Txn again = b->txn();
    again.verify("Root", root, "next_cfg");
    again.set("Root", root, "cur_cfg", Datum::scalar(Atom(int64_t{1})));
    CHECK(b->commit_blocking(again, 5s).status == Result::Status::Success);
}

TEST_CASE("idl: the server's refusal is an error with its text") {
    Bed bed;
    auto a = bed.client();
    add_root(*a);
    Txn t = a->txn();
    t.insert("Root");   // maxRows is 1
    Result r = a->commit_blocking(t, 5s);
    CHECK(r.status == Result::Status::Error);
    CHECK(r.error.find("constraint violation") != std::string::npos);
    CHECK(a->table("Root")->size() == 1);
    // Nothing to do: no round trip at all.
    CHECK(a->commit_blocking(a->txn(), 5s).status == Result::Status::Unchanged);
}

TEST_CASE("idl: after the server restarts, the client resyncs and reports only real changes") {
    Bed bed;
    auto a = bed.client();
    Uuid root = add_root(*a);
    a->clear_changes();
    uint64_t before = a->seqno();

    bed.stop_server();
    REQUIRE(a->run_until([&] { return !a->connected(); }, 5s));
    CHECK_FALSE(a->synced());
    Txn t = a->txn();
    t.set("Root", root, "cur_cfg", Datum::scalar(Atom(int64_t{9})));
    CHECK(a->commit_blocking(t, 1s).status == Result::Status::TryAgain);

    bed.start_server();
    REQUIRE(a->run_until([&] { return a->synced(); }, 10s));
    CHECK(a->seqno() > before);
    CHECK(a->row("Root", root) != nullptr);
    CHECK_FALSE(a->replica().has_changes());   // same contents: nothing changed
}

TEST_CASE("idl: without reconnect, a missing server is a failure, promptly") {
    boost::asio::io_context io;
    Idl::Options o;
    o.database = "Test";
    o.reconnect = false;
    Idl idl(io, "unix:/nonexistent/dir/db.sock", o);
    idl.start();
    CHECK_FALSE(idl.run_until([&] { return idl.synced(); }, 5s));
    CHECK(idl.failed());
    CHECK_FALSE(idl.last_error().empty());
    CHECK_THROWS_AS(Idl(io, "bogus:xyz", o), std::invalid_argument);
}

TEST_CASE("idl: locks are taken after connecting and asserted by transactions") {
    Bed bed;
    Idl::Options o;
    o.database = "Test";
    Idl a(bed.io, "unix:" + bed.sock, o);
    a.set_lock("writer");
    a.start();
    REQUIRE(a.run_until([&] { return a.has_lock(); }, 5s));
    Idl b(bed.io, "unix:" + bed.sock, o);
    b.set_lock("writer");
    b.start();
    REQUIRE(b.run_until([&] { return b.synced() && b.lock_contended(); }, 5s));
    CHECK_FALSE(b.has_lock());
    Txn t = b.txn();
    t.insert("Root");
    CHECK(b.commit_blocking(t, 5s).status == Result::Status::NotLocked);
    Txn ta = a.txn();
    ta.insert("Root");
    CHECK(a.commit_blocking(ta, 5s).status == Result::Status::Success);
}
