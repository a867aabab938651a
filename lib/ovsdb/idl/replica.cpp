#include "ovsdb/idl/replica.hpp"

#include <algorithm>
#include <stdexcept>

#include "ovsdb/error.hpp"

namespace ovsdb::idl {

namespace {

// A diff may hold more (or fewer) elements than the column allows.
Type diff_type(const Type& t) {
    Type d = t;
    d.min = 0;
    d.max = Type::kUnlimited;
    return d;
}

// Applies an update2 "modify" diff of one column to its old value: for a
// column of at most one element (optional ones included) the diff is the new
// value; for larger sets, each element toggles; for maps, a key not present
// is added, a pair present is removed, a key with another value takes the
// new value.
Datum apply_diff(const Type& t, const Datum& old, const Datum& diff) {
    if (t.max == 1) return diff;
    std::map<Atom, std::optional<Atom>> m;
    for (size_t i = 0; i < old.size(); ++i)
        m[old.keys()[i]] = t.is_map() ? std::optional<Atom>(old.values()[i]) : std::nullopt;
    for (size_t i = 0; i < diff.size(); ++i) {
        const Atom& k = diff.keys()[i];
        auto it = m.find(k);
        if (!t.is_map()) {
            if (it == m.end()) m.emplace(k, std::nullopt);
            else m.erase(it);
            continue;
        }
        const Atom& v = diff.values()[i];
        if (it == m.end()) m.emplace(k, v);
        else if (*it->second == v) m.erase(it);
        else it->second = v;
    }
    std::vector<Atom> keys, values;
    keys.reserve(m.size());
    for (auto& [k, v] : m) {
        keys.push_back(k);
        if (v) values.push_back(*v);
    }
    Datum d(std::move(keys), std::move(values));
    d.set_map(t.is_map());
    return d;
}

const json& member_object(const json& j, const std::string& what) {
    if (!j.is_object()) throw syntax_error(j, what + " is not an object");
    return j;
}

}  // namespace

// ---------------------------------------------------------------- Row

Row::Row(const Table& table, Uuid uuid) : table_(&table), uuid_(uuid) {}

namespace {
bool cell_before(const std::pair<size_t, Datum>& c, size_t i) { return c.first < i; }
}  // namespace

const Datum& Row::get(size_t column_index) const {
    auto it = std::lower_bound(cells_.begin(), cells_.end(), column_index, cell_before);
    if (it != cells_.end() && it->first == column_index) return it->second;
    return table_->defaults_.at(column_index);
}

const Datum& Row::get(const std::string& column) const {
    long i = table_->schema().index_of(column);
    if (i < 0) throw std::out_of_range("table " + table_->name() + " has no column " + column);
    return get(static_cast<size_t>(i));
}

bool Row::set(size_t column_index, Datum value) {
    auto it = std::lower_bound(cells_.begin(), cells_.end(), column_index, cell_before);
    bool present = it != cells_.end() && it->first == column_index;
    if (value == table_->defaults_.at(column_index)) {
        if (!present) return false;
        cells_.erase(it);
        return true;
    }
    if (present) {
        if (it->second == value) return false;
        it->second = std::move(value);
        return true;
    }
    cells_.emplace(it, column_index, std::move(value));
    return true;
}

std::string Row::string(const std::string& column) const {
    const Datum& d = get(column);
    if (d.empty() || d.keys()[0].type() != AtomicType::String) return "";
    return d.keys()[0].string();
}

std::optional<int64_t> Row::integer(const std::string& column) const {
    const Datum& d = get(column);
    if (d.empty() || d.keys()[0].type() != AtomicType::Integer) return std::nullopt;
    return d.keys()[0].integer();
}

bool Row::boolean(const std::string& column, bool dflt) const {
    const Datum& d = get(column);
    if (d.empty() || d.keys()[0].type() != AtomicType::Boolean) return dflt;
    return d.keys()[0].boolean();
}

std::optional<Uuid> Row::ref(const std::string& column) const {
    const Datum& d = get(column);
    if (d.empty() || d.keys()[0].type() != AtomicType::Uuid) return std::nullopt;
    return d.keys()[0].uuid();
}

std::vector<Uuid> Row::refs(const std::string& column) const {
    std::vector<Uuid> out;
    const Datum& d = get(column);
    // For maps, the referenced rows are whichever side holds UUIDs.
    const auto& atoms = (!d.keys().empty() && d.keys()[0].type() == AtomicType::Uuid) ? d.keys() : d.values();
    for (const auto& a : atoms)
        if (a.type() == AtomicType::Uuid) out.push_back(a.uuid());
    return out;
}

std::vector<std::string> Row::strings(const std::string& column) const {
    std::vector<std::string> out;
    for (const auto& a : get(column).keys())
        if (a.type() == AtomicType::String) out.push_back(a.string());
    return out;
}

std::vector<int64_t> Row::integers(const std::string& column) const {
    std::vector<int64_t> out;
    for (const auto& a : get(column).keys())
        if (a.type() == AtomicType::Integer) out.push_back(a.integer());
    return out;
}

std::map<std::string, std::string> Row::smap(const std::string& column) const {
    std::map<std::string, std::string> out;
    const Datum& d = get(column);
    for (size_t i = 0; i < d.values().size(); ++i)
        if (d.keys()[i].type() == AtomicType::String && d.values()[i].type() == AtomicType::String)
            out.emplace(d.keys()[i].string(), d.values()[i].string());
    return out;
}

std::optional<std::string> Row::smap_get(const std::string& column, const std::string& key) const {
    const Datum& d = get(column);
    long i = d.find(Atom(key));
    if (i < 0 || static_cast<size_t>(i) >= d.values().size()) return std::nullopt;
    const Atom& v = d.values()[static_cast<size_t>(i)];
    if (v.type() != AtomicType::String) return std::nullopt;
    return v.string();
}

// ---------------------------------------------------------------- Table

Table::Table(const TableSchema& schema, std::vector<std::string> columns)
    : schema_(&schema), columns_(std::move(columns)) {
    if (columns_.empty())
        for (const auto& c : schema.columns) columns_.push_back(c.name);
    defaults_.reserve(schema.columns.size());
    for (const auto& c : schema.columns) defaults_.push_back(Datum::default_for(c.type));
}

const Row* Table::find(const Uuid& u) const {
    auto it = rows_.find(u);
    return it == rows_.end() ? nullptr : &it->second;
}

std::vector<const Row*> Table::find_by(const std::string& column, const std::string& value) const {
    std::vector<const Row*> out;
    for (const auto& [u, r] : rows_)
        if (r.string(column) == value) out.push_back(&r);
    std::sort(out.begin(), out.end(), [](const Row* a, const Row* b) { return a->uuid() < b->uuid(); });
    return out;
}

std::vector<const Row*> Table::sorted(const std::string& column) const {
    std::vector<const Row*> out;
    out.reserve(rows_.size());
    for (const auto& [u, r] : rows_) out.push_back(&r);
    std::sort(out.begin(), out.end(), [&](const Row* a, const Row* b) {
        if (!column.empty()) {
            const Datum& da = a->get(column);
            const Datum& db = b->get(column);
            if (!(da == db)) return da < db;
        }
        return a->uuid() < b->uuid();
    });
    return out;
}

Row& Table::emplace(const Uuid& u) {
    auto it = rows_.find(u);
    if (it == rows_.end()) it = rows_.emplace(u, Row(*this, u)).first;
    return it->second;
}

void Table::note(const Uuid& u, RowChange::Kind k, const std::string* column) {
    using K = RowChange::Kind;
    auto it = changes_.find(u);
    if (it == changes_.end()) {
        RowChange c;
        c.kind = k;
        if (column) c.columns.insert(*column);
        changes_.emplace(u, std::move(c));
        return;
    }
    RowChange& c = it->second;
    switch (k) {
    case K::Inserted:
        // Deleted then inserted again within one batch: a modification of
        // every column, as far as the owner can tell.
        if (c.kind == K::Deleted) {
            c.kind = K::Modified;
            for (const auto& name : columns_) c.columns.insert(name);
        }
        break;
    case K::Modified:
        if (column) c.columns.insert(*column);
        break;
    case K::Deleted:
        if (c.kind == K::Inserted) changes_.erase(it);   // came and went: nothing to report
        else {
            c.kind = K::Deleted;
            c.columns.clear();
        }
        break;
    }
}

// ---------------------------------------------------------------- Replica

struct Replica::Pending {
    enum class Op { Put, Modify, Delete };
    struct RowOp {
        Table* table;
        Uuid uuid;
        Op op;
        std::vector<std::pair<size_t, Datum>> cols;   // Put: given columns; Modify: diffs
    };
    std::vector<RowOp> ops;
};

void Replica::reset(const DatabaseSchema& schema, const std::map<std::string, std::vector<std::string>>& tables) {
    tables_.clear();
    schema_ = std::make_unique<DatabaseSchema>(schema);
    auto add = [&](const TableSchema& ts, std::vector<std::string> cols) {
        // Keep only columns the server's schema has, in schema order.
        std::vector<std::string> keep;
        for (const auto& c : ts.columns)
            if (cols.empty() || std::find(cols.begin(), cols.end(), c.name) != cols.end())
                keep.push_back(c.name);
        tables_.emplace(ts.name, Table(ts, std::move(keep)));
    };
    if (tables.empty()) {
        for (const auto& [name, ts] : schema_->tables) add(ts, {});
        return;
    }
    for (const auto& [name, cols] : tables)
        if (const TableSchema* ts = schema_->table(name)) add(*ts, cols);
}

json Replica::monitor_requests() const {
    json req = json::object();
    for (const auto& [name, t] : tables_) req[name] = json::array({{{"columns", t.columns()}}});
    return req;
}

const Table* Replica::table(const std::string& name) const {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : &it->second;
}

const Row* Replica::row(const std::string& table, const Uuid& u) const {
    const Table* t = this->table(table);
    return t ? t->find(u) : nullptr;
}

bool Replica::has_changes() const {
    for (const auto& [n, t] : tables_)
        if (!t.changes_.empty()) return true;
    return false;
}

void Replica::clear_changes() {
    for (auto& [n, t] : tables_) t.changes_.clear();
}

void Replica::parse(const json& updates, bool update2, bool initial, Pending* out) const {
    member_object(updates, "table-updates");
    for (const auto& [tname, rows] : updates.items()) {
        auto tit = tables_.find(tname);
        if (tit == tables_.end()) throw syntax_error(updates, "update for unknown table " + tname);
        Table* table = const_cast<Table*>(&tit->second);
        const TableSchema& ts = table->schema();
        member_object(rows, "table-update");
        for (const auto& [us, ru] : rows.items()) {
            auto uuid = Uuid::parse(us);
            if (!uuid) throw syntax_error(rows, "\"" + us + "\" is not a UUID");
            member_object(ru, "row-update");
            auto parse_cols = [&](const json& row, bool diff) {
                member_object(row, "row");
                std::vector<std::pair<size_t, Datum>> cols;
                for (const auto& [cname, v] : row.items()) {
                    long ci = ts.index_of(cname);
                    if (ci < 0) continue;   // a column we did not ask for: ignore, as Open vSwitch does
                    const Type& type = ts.columns[static_cast<size_t>(ci)].type;
                    cols.emplace_back(static_cast<size_t>(ci),
                                      Datum::from_json(v, diff ? diff_type(type) : type, nullptr));
                }
                return cols;
            };
            Pending::RowOp op{table, *uuid, Pending::Op::Put, {}};
            if (update2) {
                if (ru.contains("initial") || ru.contains("insert")) {
                    op.cols = parse_cols(ru.contains("initial") ? ru["initial"] : ru["insert"], false);
                } else if (ru.contains("modify")) {
                    if (initial) throw syntax_error(ru, "\"modify\" in initial contents");
                    op.op = Pending::Op::Modify;
                    op.cols = parse_cols(ru["modify"], true);
                } else if (ru.contains("delete")) {
                    op.op = Pending::Op::Delete;
                } else {
                    throw syntax_error(ru, "row-update2 without initial, insert, modify or delete");
                }
            } else {
                auto nw = ru.find("new");
                if (nw == ru.end() || nw->is_null()) {
                    if (initial) throw syntax_error(ru, "row without \"new\" in initial contents");
                    op.op = Pending::Op::Delete;
                } else {
                    op.cols = parse_cols(*nw, false);
                }
            }
            out->ops.push_back(std::move(op));
        }
    }
}

void Replica::apply(Pending& p, bool initial) {
    using K = RowChange::Kind;
    std::map<Table*, std::set<Uuid>> seen;
    for (auto& op : p.ops) {
        Table& t = *op.table;
        const TableSchema& ts = t.schema();
        if (initial) seen[&t].insert(op.uuid);
        switch (op.op) {
        case Pending::Op::Delete:
            if (t.rows_.erase(op.uuid)) t.note(op.uuid, K::Deleted, nullptr);
            break;
        case Pending::Op::Put: {
            // Columns not given take their defaults (update2 omits them).
            auto by_index = [](const auto& a, const auto& b) { return a.first < b.first; };
            std::sort(op.cols.begin(), op.cols.end(), by_index);
            auto it = t.rows_.find(op.uuid);
            if (it == t.rows_.end()) {
                Row::Cells cells;
                cells.reserve(op.cols.size());
                for (auto& [ci, d] : op.cols)
                    if (!(d == t.defaults_[ci]) && (cells.empty() || cells.back().first != ci))
                        cells.emplace_back(ci, std::move(d));
                t.rows_.emplace(op.uuid, Row(t, op.uuid, std::move(cells)));
                t.note(op.uuid, K::Inserted, nullptr);
                break;
            }
            Row& r = it->second;
            // A column the row holds but the update does not give returns to its default.
            std::vector<size_t> dropped;
            for (const auto& [ci, d] : r.cells_)
                if (!std::binary_search(op.cols.begin(), op.cols.end(), std::pair<size_t, Datum>(ci, Datum()), by_index))
                    dropped.push_back(ci);
            for (size_t ci : dropped)
                if (r.set(ci, t.defaults_[ci])) t.note(op.uuid, K::Modified, &ts.columns[ci].name);
            for (auto& [ci, d] : op.cols)
                if (r.set(ci, std::move(d))) t.note(op.uuid, K::Modified, &ts.columns[ci].name);
            break;
        }
        case Pending::Op::Modify: {
            auto it = t.rows_.find(op.uuid);
            if (it == t.rows_.end()) break;   // modify of a row we never saw: nothing to change
            Row& r = it->second;
            for (auto& [ci, d] : op.cols)
                if (r.set(ci, apply_diff(ts.columns[ci].type, r.get(ci), d)))
                    t.note(op.uuid, K::Modified, &ts.columns[ci].name);
            break;
        }
        }
    }
    if (!initial) return;
    // A full resynchronisation: whatever was not in it is gone.
    for (auto& [name, t] : tables_) {
        const auto& keep = seen[&t];
        std::vector<Uuid> gone;
        for (const auto& [u, r] : t.rows_)
            if (!keep.count(u)) gone.push_back(u);
        for (const auto& u : gone) {
            t.rows_.erase(u);
            t.note(u, K::Deleted, nullptr);
        }
    }
}

void Replica::apply_initial(const json& updates, bool update2) {
    Pending p;
    parse(updates, update2, true, &p);
    apply(p, true);
}

void Replica::apply_update(const json& updates, bool update2) {
    Pending p;
    parse(updates, update2, false, &p);
    apply(p, false);
}

}  // namespace ovsdb::idl
