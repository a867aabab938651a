// Mutations (RFC 7047 section 5.1, the "mutate" operation): arithmetic on
// numeric columns and sets of numbers, insert into and delete from sets and
// maps.
#pragma once

#include "ovsdb/row.hpp"

namespace ovsdb {

struct Mutation {
    enum class Op { Add, Sub, Mul, Div, Mod, Insert, Delete };
    Op op = Op::Add;
    long column = 0;
    Datum arg;
    bool delete_by_key = false;   // map delete given a set of keys
};

class Mutations {
public:
    static Mutations from_json(const json& mutations, const TableSchema& t, const NamedUuids* named);
    // Applies every mutation to `row`; throws "domain error", "range error"
    // or "constraint violation" (the row is then unspecified: callers apply
    // to a copy).
    void apply(Row& row, const TableSchema& t) const;
    const std::vector<Mutation>& list() const { return list_; }

private:
    std::vector<Mutation> list_;
};

}  // namespace ovsdb
