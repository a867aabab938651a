#include "ovsdb/condition.hpp"

namespace ovsdb {

namespace {

int compare_scalar(const Datum& a, const Datum& b) {
    if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
    const Atom& x = a.keys()[0];
    const Atom& y = b.keys()[0];
    if (x.type() == AtomicType::Integer) return x.integer() < y.integer() ? -1 : (x.integer() > y.integer());
    if (x.type() == AtomicType::Real) return x.real() < y.real() ? -1 : (x.real() > y.real());
    return x < y ? -1 : (y < x ? 1 : 0);
}

}  // namespace

bool Clause::matches(const Row& r) const {
    switch (fn) {
    case Fn::True: return true;
    case Fn::False: return false;
    default: break;
    }
    Datum v = r.value(column);
    switch (fn) {
    case Fn::Eq: return v == arg;
    case Fn::Ne: return !(v == arg);
    case Fn::Includes: return v.contains(arg);
    case Fn::Excludes: return v.disjoint(arg);
    case Fn::Lt: return !v.empty() && compare_scalar(v, arg) < 0;
    case Fn::Le: return !v.empty() && compare_scalar(v, arg) <= 0;
    case Fn::Gt: return !v.empty() && compare_scalar(v, arg) > 0;
    case Fn::Ge: return !v.empty() && compare_scalar(v, arg) >= 0;
    default: return false;
    }
}

Condition Condition::from_json(const json& where, const TableSchema& t, const NamedUuids* named) {
    if (!where.is_array()) throw syntax_error(where, "where must be an array of conditions");
    Condition c;
    for (const auto& cl : where) {
        Clause clause;
        if (cl.is_boolean()) {
            clause.fn = cl.get<bool>() ? Clause::Fn::True : Clause::Fn::False;
            c.clauses_.push_back(std::move(clause));
            continue;
        }
        if (!cl.is_array() || cl.size() != 3 || !cl[0].is_string() || !cl[1].is_string())
            throw syntax_error(cl, "Parse error in condition.");
        std::string col = cl[0].get<std::string>(), fn = cl[1].get<std::string>();
        long ci = column_index(t, col);
        if (ci == -3) throw Error("unknown column", "No column " + col + " in table " + t.name + ".", cl.dump());
        Type type = column_type(t, ci);
        using F = Clause::Fn;
        if (fn == "==") clause.fn = F::Eq;
        else if (fn == "!=") clause.fn = F::Ne;
        else if (fn == "<") clause.fn = F::Lt;
        else if (fn == "<=") clause.fn = F::Le;
        else if (fn == ">") clause.fn = F::Gt;
        else if (fn == ">=") clause.fn = F::Ge;
        else if (fn == "includes") clause.fn = F::Includes;
        else if (fn == "excludes") clause.fn = F::Excludes;
        else throw syntax_error(cl, "Unknown function \"" + fn + "\" in condition.");
        bool ordered = clause.fn == F::Lt || clause.fn == F::Le || clause.fn == F::Gt || clause.fn == F::Ge;
        if (ordered) {
            if (type.value || type.max != 1 ||
                (type.key.type != AtomicType::Integer && type.key.type != AtomicType::Real))
                throw syntax_error(cl, "Type mismatch: \"" + fn +
                                           "\" operator may only be applied to integer or real columns.");
            type.min = 1;
        } else {
            type.min = 0;
            if (clause.fn == F::Includes || clause.fn == F::Excludes) type.max = Type::kUnlimited;
        }
        clause.column = ci;
        clause.arg = Datum::from_json(cl[2], type, named);
        c.clauses_.push_back(std::move(clause));
    }
    return c;
}

bool Condition::matches(const Row& r) const {
    for (const auto& c : clauses_)
        if (!c.matches(r)) return false;
    return true;
}

bool Condition::always_true() const {
    for (const auto& c : clauses_)
        if (c.fn != Clause::Fn::True) return false;
    return true;
}

bool Condition::always_false() const {
    for (const auto& c : clauses_)
        if (c.fn == Clause::Fn::False) return true;
    return false;
}

const Uuid* Condition::uuid_equality() const {
    for (const auto& c : clauses_)
        if (c.fn == Clause::Fn::Eq && c.column == -1 && c.arg.size() == 1) return &c.arg.keys()[0].uuid();
    return nullptr;
}

std::vector<long> Condition::columns() const {
    std::vector<long> v;
    for (const auto& c : clauses_)
        if (c.fn != Clause::Fn::True && c.fn != Clause::Fn::False && c.column >= 0) v.push_back(c.column);
    return v;
}

}  // namespace ovsdb
