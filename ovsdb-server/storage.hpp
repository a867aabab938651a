// Storage: one OVSDB database in one SQLite file.
//
// The file is a first-class interface (docs/sqlite-layout.md): one SQL table
// per OVSDB table, one SQL column per persistent OVSDB column, `_uuid` as the
// primary key, and a metadata table `_vswitch_meta` holding the format, the
// schema JSON and the database name and version.  Scalar columns (exactly
// one atom, no value type) are stored as native SQLite values; every other
// column as its RFC 7047 JSON text, so an operator can read the configuration
// with `sqlite3`.
//
// Durability: WAL journal.  By default synchronous=NORMAL: a committed
// transaction is in the WAL (the kernel's page cache) when commit() returns,
// so it survives kill -9 of the server; a durable commit also fsyncs, so it
// survives power loss.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ovsdb::server {

struct StorageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Another process holds the file's advisory lock (a server is using it).
struct StorageLocked : StorageError {
    using StorageError::StorageError;
};

class Storage {
public:
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    // Creates a new file for `schema` (RFC 7047 <database-schema> JSON);
    // refuses an existing file.  The file appears atomically, complete.
    static std::unique_ptr<Storage> create(const std::string& path, const nlohmann::json& schema);
    // Opens and validates an existing file; a corrupt, foreign or
    // inconsistent file throws StorageError naming the file and the problem.
    // A writer takes an advisory lock, so two servers cannot share a file.
    // `exclusive` (the server's default): SQLite's locking_mode=EXCLUSIVE —
    // the file stays locked by this process, which spares the six fcntl()
    // lock calls of every commit, but no other process (sqlite3 included)
    // can read it meanwhile; a read-only open of such a file fails after a
    // short wait with "locked by the ovsdb-server".

    static std::unique_ptr<Storage> open(const std::string& path, bool read_only = false,
                                         bool exclusive = false);

    const nlohmann::json& schema() const { return schema_; }
    const std::string& path() const { return path_; }
    std::string name() const { return schema_.value("name", ""); }
    std::string version() const { return schema_.value("version", ""); }

    // Calls fn for every stored row: table, row UUID (36-char string), and
    // an object {column: <value> in RFC 7047 wire JSON} of every persistent
    // column that has a value.
    void load(const std::function<void(const std::string& table, const std::string& uuid,
                                       const nlohmann::json& columns)>& fn);

    // The same rows without the JSON step, for the server's start: for each
    // table, `table` gets its name and its persistent columns (storage
    // order), then `row` each row's UUID text and one Cell per column.
    // Columns stored natively come as their SQLite value, the others as
    // their JSON text; the views are valid during the call only.
    struct Cell {
        enum class Kind { Null, Integer, Real, Boolean, String, Uuid, Json } kind = Kind::Null;
        int64_t integer = 0;
        double real = 0;
        std::string_view text;   // String, Uuid, Json
    };
    void load_cells(const std::function<void(const std::string& table, const std::vector<std::string>& columns)>& table,
                    const std::function<void(std::string_view uuid, const std::vector<Cell>& cells)>& row);

    struct Change {
        std::string table;
        std::string uuid;
        std::optional<nlohmann::json> columns;   // nullopt = delete; else the full new row
    };
    // Atomically applies one committed transaction (see the durability note).
    // Throws StorageError, and keeps nothing of it, when a change does not
    // fit the file or cannot be written.
    void commit(const std::vector<Change>& changes, bool durable);

    // The transaction log (exclusive mode only; see docs/sqlite-layout.md):
    // each commit is appended to PATH-txlog in one write() and reaches the
    // SQLite tables later, many transactions in one SQLite transaction.
    // apply_log() does that now (the server calls it when idle; commit()
    // when the log grows long; closing does it too).  A writer's open()
    // replays a log left by a process that was killed.
    bool uses_log() const { return log_fd_ >= 0; }
    bool log_pending() const { return !unapplied_.empty(); }
    void apply_log();

    // Group commit: commits between begin_batch() and end_batch() share one
    // SQLite transaction, written by end_batch().
    void begin_batch();
    void end_batch(bool durable);
    bool in_batch() const { return batch_depth_ > 0; }

    // Replaces the schema and all rows at once (ovsdb-tool convert).
    void replace(const nlohmann::json& new_schema, const std::vector<Change>& all_rows);

    // Free-form metadata kept in _vswitch_meta (e.g. the last transaction id).
    std::optional<std::string> get_meta(const std::string& key);
    void set_meta(const std::string& key, const std::string& value);

    // Statistics for memory/show and show-log.
    struct Stats {
        uint64_t commits = 0;
        uint64_t rows_written = 0;
    };
    const Stats& stats() const { return stats_; }

    struct Impl;   // SQLite handles; opaque outside storage.cpp

private:
    Storage(std::string path, nlohmann::json schema, std::unique_ptr<Impl> impl);
    void begin();
    void finish(bool durable);
    void sync_to_disk();
    void sync_dir();
    StorageError read_failure(const std::string& table, int rc) const;
    void open_log();
    void replay_log();
    void log_commit(const std::vector<Change>& changes, bool durable);

    std::string log_path_;
    int log_fd_ = -1;
    uint64_t log_size_ = 0;         // bytes, header included
    uint64_t log_header_ = 0;
    std::string instance_;           // the file's identity (_vswitch_meta "instance")
    std::vector<Change> unapplied_;  // in the log, not yet in the tables
    std::unordered_map<std::string, size_t> unapplied_index_;   // "table/uuid" -> unapplied_
    bool unapplied_durable_ = false;
    bool log_broken_ = false;
    bool log_dir_synced_ = false;        // a failed write could not be undone

    std::string path_;
    nlohmann::json schema_;
    std::unique_ptr<Impl> impl_;
    int batch_depth_ = 0;
    bool batch_durable_ = false;
    Stats stats_;
};

// The storage format's identity, for docs and tools.
inline constexpr const char* kStorageFormat = "vswitch-ovsdb-sqlite";
inline constexpr int kStorageFormatVersion = 1;
// The transaction log is applied to the tables once it holds this many
// changed rows or bytes (and whenever the server is idle).
inline constexpr size_t kApplyRows = 5000;
inline constexpr uint64_t kApplyBytes = 8u << 20;

}  // namespace ovsdb::server
