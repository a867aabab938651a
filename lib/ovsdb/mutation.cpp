#include "ovsdb/mutation.hpp"

#include <cmath>

namespace ovsdb {

namespace {

Atom arith(Mutation::Op op, const Atom& a, const Atom& b) {
    if (a.type() == AtomicType::Integer) {
        int64_t x = a.integer(), y = b.integer(), r = 0;
        switch (op) {
        case Mutation::Op::Add:
            if (__builtin_add_overflow(x, y, &r)) throw Error("range error", "Result of \"+=\" operation is out of range.");
            break;
        case Mutation::Op::Sub:
            if (__builtin_sub_overflow(x, y, &r)) throw Error("range error", "Result of \"-=\" operation is out of range.");
            break;
        case Mutation::Op::Mul:
            if (__builtin_mul_overflow(x, y, &r)) throw Error("range error", "Result of \"*=\" operation is out of range.");
            break;
        case Mutation::Op::Div:
            if (y == 0) throw Error("domain error", "Division by zero.");
            if (x == INT64_MIN && y == -1) throw Error("range error", "Result of \"/=\" operation is out of range.");
            r = x / y;
            break;
        case Mutation::Op::Mod:
            if (y == 0) throw Error("domain error", "Division by zero.");
            r = (x == INT64_MIN && y == -1) ? 0 : x % y;
            break;
        default: break;
        }
        return Atom(r);
    }
    double x = a.real(), y = b.real(), r = 0;
    switch (op) {
    case Mutation::Op::Add: r = x + y; break;
    case Mutation::Op::Sub: r = x - y; break;
    case Mutation::Op::Mul: r = x * y; break;
    case Mutation::Op::Div:
        if (y == 0) throw Error("domain error", "Division by zero.");
        r = x / y;
        break;
    default: break;
    }
    if (!std::isfinite(r)) throw Error("range error", "Result of arithmetic mutation is out of range.");
    return Atom(r);
}

}  // namespace

Mutations Mutations::from_json(const json& mutations, const TableSchema& t, const NamedUuids* named) {
    if (!mutations.is_array()) throw syntax_error(mutations, "mutations must be an array");
    Mutations ms;
    for (const auto& mj : mutations) {
        if (!mj.is_array() || mj.size() != 3 || !mj[0].is_string() || !mj[1].is_string())
            throw syntax_error(mj, "Parse error in mutation.");
        std::string col = mj[0].get<std::string>(), op = mj[1].get<std::string>();
        long ci = column_index(t, col);
        if (ci == -3) throw Error("unknown column", "No column " + col + " in table " + t.name + ".", mj.dump());
        if (ci < 0) throw Error("constraint violation", "Cannot mutate column " + col + ".");
        const ColumnSchema& cs = t.columns[static_cast<size_t>(ci)];
        if (!cs.mutable_) throw Error("constraint violation", "Cannot mutate immutable column " + col + " in table " + t.name + ".");
        Mutation m;
        m.column = ci;
        using O = Mutation::Op;
        if (op == "+=") m.op = O::Add;
        else if (op == "-=") m.op = O::Sub;
        else if (op == "*=") m.op = O::Mul;
        else if (op == "/=") m.op = O::Div;
        else if (op == "%=") m.op = O::Mod;
        else if (op == "insert") m.op = O::Insert;
        else if (op == "delete") m.op = O::Delete;
        else throw syntax_error(mj, "Unknown mutator \"" + op + "\".");
        const Type& type = cs.type;
        if (m.op == O::Insert || m.op == O::Delete) {
            if (type.max == 1 && type.min == 1)
                throw syntax_error(mj, "Type mismatch: \"" + op + "\" may only be applied to sets or maps.");
            Type argt = type;
            argt.min = 0;
            argt.max = Type::kUnlimited;
            if (m.op == O::Delete && type.is_map() && mj[2].is_array() && mj[2].size() == 2 && mj[2][0] == "set") {
                Type keys;
                keys.key = type.key;
                keys.min = 0;
                keys.max = Type::kUnlimited;
                m.arg = Datum::from_json(mj[2], keys, named);
                m.delete_by_key = true;
            } else {
                // Deleted values need not satisfy the column's constraints.
                if (m.op == O::Delete) {
                    argt.key.enumeration.reset();
                    if (argt.value) argt.value->enumeration.reset();
                }
                m.arg = Datum::from_json(mj[2], argt, named);
            }
        } else {
            if (type.is_map() || (type.key.type != AtomicType::Integer && type.key.type != AtomicType::Real))
                throw syntax_error(mj, "Type mismatch: \"" + op + "\" may only be applied to integer or real columns.");
            if (m.op == O::Mod && type.key.type != AtomicType::Integer)
                throw syntax_error(mj, "Type mismatch: \"%=\" may only be applied to integer columns.");
            BaseType b;
            b.type = type.key.type;
            m.arg = Datum::scalar(b.atom_from_json(mj[2], named));
        }
        ms.list_.push_back(std::move(m));
    }
    return ms;
}

void Mutations::apply(Row& row, const TableSchema& t) const {
    for (const auto& m : list_) {
        const ColumnSchema& cs = t.columns[static_cast<size_t>(m.column)];
        Datum& d = row.cols[static_cast<size_t>(m.column)];
        switch (m.op) {
        case Mutation::Op::Insert:
            d.insert_all(m.arg);
            break;
        case Mutation::Op::Delete:
            d.remove_all(m.arg, !m.delete_by_key);
            break;
        default: {
            std::vector<Atom> out;
            out.reserve(d.size());
            for (const auto& a : d.keys()) out.push_back(arith(m.op, a, m.arg.keys()[0]));
            Datum nd(std::move(out), {});
            try {
                nd.sort_unique(false);
            } catch (const Error&) {
                throw Error("constraint violation", "Result of mutation on column " + cs.name + " contains duplicates.");
            }
            d = std::move(nd);
        }
        }
        try {
            d.check(cs.type);
        } catch (const Error& e) {
            throw Error("constraint violation", "Mutation of column " + cs.name + ": " + e.details());
        }
    }
}

}  // namespace ovsdb
