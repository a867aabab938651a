#include "utilities/vsctl/view.hpp"

#include <stdexcept>

namespace vsctl {

const Datum& VRow::get(const std::string& column) const {
    long i = table->index_of(column);
    if (i < 0) throw std::out_of_range("table " + table->name + " has no column " + column);
    return get(static_cast<size_t>(i));
}

std::string VRow::string(const std::string& column) const {
    const Datum& d = get(column);
    return d.empty() || d.keys()[0].type() != ovsdb::AtomicType::String ? "" : d.keys()[0].string();
}

std::optional<int64_t> VRow::integer(const std::string& column) const {
    const Datum& d = get(column);
    if (d.empty() || d.keys()[0].type() != ovsdb::AtomicType::Integer) return std::nullopt;
    return d.keys()[0].integer();
}

std::vector<Uuid> VRow::refs(const std::string& column) const {
    std::vector<Uuid> out;
    for (const auto& a : get(column).keys())
        if (a.type() == ovsdb::AtomicType::Uuid) out.push_back(a.uuid());
    return out;
}

View::View(const ovsdb::idl::Idl& idl, ovsdb::idl::Txn& txn) : idl_(idl), txn_(txn) {}

const ovsdb::TableSchema& View::table(const std::string& name) const {
    const ovsdb::TableSchema* t = schema().table(name);
    if (!t) throw std::runtime_error("unknown table \"" + name + "\"");
    return *t;
}

View::TableRows& View::load(const std::string& name) {
    TableRows& tr = tables_[name];
    if (tr.loaded) return tr;
    tr.loaded = true;
    const ovsdb::TableSchema& ts = table(name);
    if (const ovsdb::idl::Table* t = idl_.table(name)) {
        for (const auto& [u, row] : t->rows()) {
            auto v = std::make_unique<VRow>();
            v->table = &ts;
            v->uuid = u;
            v->base = &row;
            tr.rows.emplace(u, std::move(v));
        }
    }
    return tr;
}

std::vector<VRow*> View::rows(const std::string& table) {
    std::vector<VRow*> out;
    for (auto& [u, r] : load(table).rows) out.push_back(r.get());
    return out;
}

VRow* View::find(const std::string& table, const Uuid& u) {
    auto& tr = load(table);
    auto it = tr.rows.find(u);
    return it == tr.rows.end() ? nullptr : it->second.get();
}

VRow* View::insert(const std::string& table, std::optional<Uuid> uuid) {
    const ovsdb::TableSchema& ts = this->table(table);
    auto& tr = load(table);
    auto v = std::make_unique<VRow>();
    v->table = &ts;
    v->uuid = txn_.insert(table, uuid);
    v->is_new = true;
    for (const auto& c : ts.columns) v->cols.push_back(Datum::default_for(c.type));
    VRow* raw = v.get();
    tr.rows.emplace(raw->uuid, std::move(v));
    return raw;
}

void View::set(VRow* row, const std::string& column, Datum value) {
    long i = row->table->index_of(column);
    if (i < 0) throw std::out_of_range("table " + row->table->name + " has no column " + column);
    if (row->cols.empty() && row->base) {
        row->cols.reserve(row->table->columns.size());
        for (size_t k = 0; k < row->table->columns.size(); ++k) row->cols.push_back(row->base->get(k));
    }
    row->cols[static_cast<size_t>(i)] = std::move(value);
    row->changed.insert(static_cast<size_t>(i));
}

void View::remove(VRow* row) {
    auto& tr = load(row->table->name);
    if (!row->is_new) tr.deleted.insert(row->uuid);
    txn_.remove(row->table->name, row->uuid);
    tr.rows.erase(row->uuid);
}

void View::verify(VRow* row, const std::string& column) {
    if (row->is_new) return;
    if (verified_.insert({row->table->name + "." + column, row->uuid}).second)
        txn_.verify(row->table->name, row->uuid, column);
}

void View::finish() {
    for (auto& [name, tr] : tables_) {
        for (auto& [u, r] : tr.rows) {
            for (size_t i : r->changed) {
                const auto& col = r->table->columns[i];
                if (!r->is_new) {
                    // Only what differs from the replica is written.
                    const ovsdb::idl::Row* orig = idl_.row(name, u);
                    if (orig && orig->get(i) == r->cols[i]) continue;
                }
                txn_.set(name, u, col.name, r->cols[i]);
            }
        }
    }
}

}  // namespace vsctl
