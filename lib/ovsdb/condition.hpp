// Conditions: the "where" of select/update/mutate/delete/wait and the
// conditions of monitor_cond (RFC 7047 section 5.1, and the `true`/`false`
// clauses Open vSwitch added).
#pragma once

#include "ovsdb/row.hpp"

namespace ovsdb {

struct Clause {
    enum class Fn { Eq, Ne, Lt, Le, Gt, Ge, Includes, Excludes, True, False };
    Fn fn = Fn::True;
    long column = 0;   // see column_index()
    Datum arg;
    bool matches(const Row& r) const;
};

class Condition {
public:
    Condition() = default;   // empty: every row matches
    static Condition from_json(const json& where, const TableSchema& t, const NamedUuids* named);
    bool matches(const Row& r) const;
    bool always_true() const;
    bool always_false() const;
    // If the condition pins _uuid with ==, that UUID (lets callers skip a scan).
    const Uuid* uuid_equality() const;
    const std::vector<Clause>& clauses() const { return clauses_; }
    // Columns the condition reads (by index, >= 0 only).
    std::vector<long> columns() const;

private:
    std::vector<Clause> clauses_;
};

}  // namespace ovsdb
