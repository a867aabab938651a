// idl-probe: drives lib/ovsdb/idl against a real server for the integration
// tests (test/integration/test_ovsdb_idl.py), which run it against our
// ovsdb-server and Debian's and compare what it prints.
//
//   idl-probe REMOTE DATABASE [STEP]...
//
// After the initial sync and after each step it prints the replica, one line
// per row, sorted, with UUIDs replaced by the name of the row they refer to
// (or #N in order of appearance), and the step's outcome.  Steps:
//   insert TABLE COL=JSON...       a new row
//   set TABLE NAME COL=JSON...     (the row whose "name" column is NAME)
//   delete TABLE NAME
//   verify-set TABLE NAME COL=JSON (verify COL first, then set it)
//   incr TABLE COLUMN              (on the table's only row)
//   wait-for TABLE NAME            (until another client's row shows up)
//   ref TABLE NAME COL TABLE2 NAME2  set COL to the row NAME2 of TABLE2
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "ovsdb/idl/idl.hpp"

using namespace ovsdb;
using namespace ovsdb::idl;
using namespace std::chrono_literals;

namespace {

std::map<Uuid, std::string> g_names;

std::string label(const Replica& r, const Uuid& u) {
    for (const auto& [tn, t] : r.tables())
        if (const Row* row = t.find(u); row && t.schema().column("name"))
            if (auto n = row->string("name"); !n.empty()) return t.name() + ":" + n;
    auto it = g_names.find(u);
    if (it == g_names.end()) it = g_names.emplace(u, "#" + std::to_string(g_names.size())).first;
    return it->second;
}

std::string show(const Replica& r, const Datum& d) {
    auto atom = [&](const Atom& a) {
        return a.type() == AtomicType::Uuid ? label(r, a.uuid()) : a.to_json().dump();
    };
    std::vector<std::string> items;
    for (size_t i = 0; i < d.size(); ++i)
        items.push_back(d.is_map() ? atom(d.keys()[i]) + "=" + atom(d.values()[i]) : atom(d.keys()[i]));
    std::sort(items.begin(), items.end());
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
    return s + "]";
}

void dump(const Idl& idl) {
    std::vector<std::string> lines;
    for (const auto& [tn, t] : idl.replica().tables()) {
        for (const auto& [u, row] : t.rows()) {
            std::string line = tn + " " + label(idl.replica(), u) + ":";
            for (const auto& c : t.schema().columns) {
                const Datum& d = row.get(c.name);
                if (!d.empty()) line += " " + c.name + "=" + show(idl.replica(), d);
            }
            lines.push_back(line);
        }
    }
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) std::cout << "  " << l << "\n";
    std::cout.flush();
}

const Row* by_name(const Idl& idl, const std::string& table, const std::string& name) {
    const Table* t = idl.table(table);
    if (!t) return nullptr;
    auto rows = t->find_by("name", name);
    return rows.empty() ? nullptr : rows[0];
}

void set_cols(Txn& txn, const Idl& idl, const std::string& table, const Uuid& row,
              const std::vector<std::string>& assignments) {
    const TableSchema* ts = idl.schema()->table(table);
    for (const auto& a : assignments) {
        auto eq = a.find('=');
        std::string col = a.substr(0, eq);
        const ColumnSchema* cs = ts->column(col);
        if (!cs) throw std::runtime_error("no column " + col);
        txn.set(table, row, col, Datum::from_json(json::parse(a.substr(eq + 1)), cs->type, nullptr));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: idl-probe REMOTE DATABASE [STEP]...\n");
        return 2;
    }
    boost::asio::io_context io;
    Idl::Options o;
    o.database = argv[2];
    o.reconnect = false;
    Idl idl(io, argv[1], o);
    idl.start();
    if (!idl.run_until([&] { return idl.synced(); }, 10s)) {
        std::fprintf(stderr, "idl-probe: %s: %s\n", argv[1], idl.last_error().c_str());
        return 1;
    }
    std::cout << "synced" << std::endl;
    dump(idl);
    for (int i = 3; i < argc; ++i) {
        std::istringstream in(argv[i]);
        std::vector<std::string> w;
        for (std::string s; in >> s;) w.push_back(s);
        std::cout << "step " << argv[i] << "\n";
        try {
            Txn txn = idl.txn();
            const std::string& op = w.at(0);
            if (op == "wait-for") {
                bool ok = idl.run_until([&] { return by_name(idl, w.at(1), w.at(2)) != nullptr; }, 10s);
                std::cout << (ok ? "  appeared\n" : "  timed out\n");
                dump(idl);
                continue;
            }
            if (op == "insert") {
                Uuid u = txn.insert(w.at(1));
                set_cols(txn, idl, w[1], u, {w.begin() + 2, w.end()});
            } else if (op == "set" || op == "verify-set") {
                const Row* r = by_name(idl, w.at(1), w.at(2));
                if (!r) throw std::runtime_error("no such row");
                if (op == "verify-set") txn.verify(w[1], r->uuid(), w.at(3).substr(0, w[3].find('=')));
                set_cols(txn, idl, w[1], r->uuid(), {w.begin() + 3, w.end()});
            } else if (op == "delete") {
                const Row* r = by_name(idl, w.at(1), w.at(2));
                if (!r) throw std::runtime_error("no such row");
                txn.remove(w[1], r->uuid());
            } else if (op == "incr") {
                const Table* t = idl.table(w.at(1));
                if (!t || t->size() != 1) throw std::runtime_error("table needs exactly one row");
                txn.increment(w[1], t->rows().begin()->first, w.at(2));
            } else if (op == "ref") {
                const Row* r = by_name(idl, w.at(1), w.at(2));
                const Row* target = by_name(idl, w.at(4), w.at(5));
                if (!r || !target) throw std::runtime_error("no such row");
                txn.set(w[1], r->uuid(), w.at(3), Datum::scalar(Atom(target->uuid())));
            } else {
                throw std::runtime_error("unknown step " + op);
            }
            Result res = idl.commit_blocking(txn, 10s);
            std::cout << "  " << to_string(res.status);
            if (!res.error.empty()) std::cout << " (" << res.error.substr(0, res.error.find(':')) << ")";
            if (res.increment) std::cout << " value=" << *res.increment;
            std::cout << "\n";
        } catch (const std::exception& e) {
            std::cout << "  refused: " << e.what() << "\n";
        }
        dump(idl);
    }
    return 0;
}
