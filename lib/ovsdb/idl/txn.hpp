// Txn: a transaction built against the replica and sent as one "transact".
//
// New rows get a temporary UUID from insert(); that UUID may be stored in
// other rows' columns of the same transaction and is sent as a named UUID,
// so the server fills in the real one (Result::inserted maps them).
// verify() turns a column the caller read into a "wait" operation, so that a
// concurrent change makes the server refuse the transaction and the caller
// retries on fresh data (Status::TryAgain), as Open vSwitch's IDL does.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovsdb/datum.hpp"
#include "ovsdb/idl/replica.hpp"

namespace ovsdb::idl {

struct Result {
    enum class Status {
        Success,     // committed
        Unchanged,   // nothing to do; nothing was sent
        TryAgain,    // a verified column changed, or the connection was lost: retry on fresh data
        NotLocked,   // the transaction needed a lock this client does not hold
        Error,       // refused: see error
    };
    Status status = Status::Error;
    std::string error;                 // "kind: details" for Error
    std::map<Uuid, Uuid> inserted;     // temporary -> real UUID of inserted rows
    std::optional<int64_t> increment;  // new value of the column given to increment()
    json reply;                        // the raw "transact" result, for tools

    bool ok() const { return status == Status::Success || status == Status::Unchanged; }
    Uuid real(const Uuid& temp) const {
        auto it = inserted.find(temp);
        return it == inserted.end() ? temp : it->second;
    }
};

const char* to_string(Result::Status s);

class Txn {
public:
    explicit Txn(const Replica& replica);

    // A new row (every column at its default until set()); returns its
    // temporary UUID (`temp` if given: a UUID the caller already handed out).
    Uuid insert(const std::string& table, std::optional<Uuid> temp = std::nullopt);
    // Sets a column of an existing or inserted row.  Throws Error
    // ("constraint violation" and the like) if the value does not fit.
    void set(const std::string& table, const Uuid& row, const std::string& column, Datum value);
    // Deletes a row.
    void remove(const std::string& table, const Uuid& row);
    // RFC 7047 mutation of one column of an existing row ("+=", "insert", "delete", ...).
    void mutate(const std::string& table, const Uuid& row, const std::string& column,
                const std::string& mutator, Datum value);
    // The column must still hold the value the replica shows now.
    void verify(const std::string& table, const Uuid& row, const std::string& column);
    // Adds 1 to an integer column at commit time; Result::increment is the new value.
    void increment(const std::string& table, const Uuid& row, const std::string& column);
    void comment(const std::string& text);
    // Any further RFC 7047 operation, appended as given.
    void add_op(json op);
    // Adds {"op": "assert", "lock": name} first.
    void assert_lock(const std::string& name) { lock_ = name; }

    // True if the transaction would change nothing (only waits and comments).
    bool empty() const;

    // The "transact" params: [database, operation...].
    json params(const std::string& database) const;
    // Reads the server's reply (result array, or the JSON-RPC error).
    Result interpret(const json& result, const json& error) const { return reader().interpret(result, error); }

private:
    enum class OpKind { Assert, Wait, Insert, Write, Extra, IncMutate, IncSelect, Comment };
    using Layout = std::vector<std::pair<OpKind, Uuid>>;

public:
    // What reading the reply needs of a transaction (what each operation
    // was), without the operations themselves: a commit in flight keeps
    // this, not a copy of the whole transaction.
    class Reader {
    public:
        Result interpret(const json& result, const json& error) const;

    private:
        friend class Txn;
        Layout layout_;
        std::optional<std::string> increment_column_;
    };
    Reader reader() const;

    // Whether a row is one this transaction inserts.
    bool is_new(const Uuid& row) const { return inserted_names_.count(row) > 0; }

private:
    struct RowWrite {
        std::string table;
        bool insert = false;
        bool remove = false;
        std::map<std::string, Datum> cols;
    };
    json build(const std::string& database) const;
    std::string joined_comments() const;   // the comment op's text ("" for none)
    const Type& column_type(const std::string& table, const std::string& column) const;
    json value_json(const Type& t, const Datum& d) const;

    const Replica* replica_;
    std::map<Uuid, RowWrite> writes_;
    std::vector<Uuid> write_order_;
    std::map<Uuid, std::string> inserted_names_;
    std::vector<json> waits_;
    std::vector<json> extra_;     // mutations, raw ops, in order
    std::vector<std::string> comments_;
    std::optional<std::pair<std::string, std::pair<Uuid, std::string>>> increment_;
    std::string lock_;
    int next_name_ = 0;
};

}  // namespace ovsdb::idl
