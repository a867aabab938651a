// Row: one row of a table — its UUID, its version, and one Datum per schema
// column (in TableSchema::columns order).
#pragma once

#include <vector>

#include "ovsdb/datum.hpp"
#include "ovsdb/schema.hpp"

namespace ovsdb {

struct Row {
    Uuid uuid;
    Uuid version;
    std::vector<Datum> cols;

    static Row with_defaults(const TableSchema& t, Uuid uuid) {
        Row r;
        r.uuid = uuid;
        r.version = Uuid::random();
        r.cols.reserve(t.columns.size());
        for (const auto& c : t.columns) r.cols.push_back(Datum::default_for(c.type));
        return r;
    }
    // The value of a column by index; -1 = _uuid, -2 = _version.
    Datum value(long col) const {
        if (col == -1) return Datum::scalar(Atom(uuid));
        if (col == -2) return Datum::scalar(Atom(version));
        return cols[static_cast<size_t>(col)];
    }
};

// Column index for a name, with the implicit columns: -1 _uuid, -2 _version,
// -3 unknown.
inline long column_index(const TableSchema& t, const std::string& name) {
    if (name == "_uuid") return -1;
    if (name == "_version") return -2;
    long i = t.index_of(name);
    return i < 0 ? -3 : i;
}

inline Type implicit_uuid_type() {
    Type t;
    t.key.type = AtomicType::Uuid;
    return t;
}

inline const Type& column_type(const TableSchema& t, long col) {
    static const Type uuid_type = implicit_uuid_type();
    return col < 0 ? uuid_type : t.columns[static_cast<size_t>(col)].type;
}

}  // namespace ovsdb
