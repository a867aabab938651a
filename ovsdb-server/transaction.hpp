// Transactions: executing the operations of a "transact" request (RFC 7047
// section 5.2) against a Database, and turning the result into a validated
// Changeset.
//
// Operations work on an overlay of the committed rows; nothing touches the
// database until every operation succeeded and the commit checks passed:
// strong references point to rows that exist, no row that is still
// referenced is deleted, weak references to vanished rows are dropped,
// unreferenced rows of non-root tables are garbage-collected, unique indexes
// hold and maxRows is respected.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "ovsdb-server/database.hpp"

namespace ovsdb::server {

struct TxnContext {
    // Does the requesting session hold `lock`? (the "assert" operation)
    std::function<bool(const std::string&)> owns_lock = [](const std::string&) { return false; };
    // Milliseconds since the transaction was first attempted (for "wait").
    int64_t elapsed_ms = 0;
};

struct TxnOutcome {
    enum class Status { Done, Blocked };
    Status status = Status::Done;
    json result = json::array();       // the reply's "result" array (Done)
    Changeset changes;                 // to commit (Done, no error, not empty)
    bool error = false;                // an operation or the commit failed
    // Blocked: retry after the next commit, or give up at this many ms.
    std::optional<int64_t> wait_deadline_ms;
};

// Executes `ops` (the params after the database name).  Never throws for
// bad input: errors become error objects in the result.
TxnOutcome execute_transaction(Database& db, const json& ops, const TxnContext& ctx);

}  // namespace ovsdb::server
