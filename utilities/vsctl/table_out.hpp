// Tables of OVSDB values printed the way Open vSwitch's tools print them
// (`list`, `find` and friends): --format=list|table|csv|json|html,
// --data=string|bare|json, --no-headings, --bare, --max-column-width.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovsdb/datum.hpp"
#include "ovsdb/types.hpp"

namespace vsctl {

struct Style {
    enum class Format { List, Table, Csv, Json, Html } format = Format::List;
    enum class Data { String, Bare, Json } data = Data::String;
    bool headings = true;
    bool pretty = false;
    int max_column_width = 0;

    // Parse --format / --data arguments; throw std::runtime_error with Open
    // vSwitch's message on an unknown name.
    void set_format(const std::string& name);
    void set_data(const std::string& name);
};

// A cell holds an OVSDB value of a type (formatted per --data), or fixed
// text, or raw JSON (printed as JSON whatever the style); with both, the
// text in text formats and the JSON in JSON output.
struct Cell {
    Cell() = default;
    Cell(ovsdb::Datum d, ovsdb::Type t) : datum(std::move(d)), type(std::move(t)) {}

    ovsdb::Datum datum;
    ovsdb::Type type;
    std::optional<std::string> text;
    std::optional<nlohmann::json> json;

    static Cell of_text(std::string t) {
        Cell c;
        c.text = std::move(t);
        return c;
    }
    // No value: empty in text formats, null in JSON.
    static Cell missing() {
        Cell c;
        c.text = "";
        c.json = nullptr;
        return c;
    }
    static Cell of_json(nlohmann::json j) {
        Cell c;
        c.json = std::move(j);
        return c;
    }
};

struct OutTable {
    std::vector<std::string> headings;
    std::vector<std::vector<Cell>> rows;
    std::optional<std::string> caption;
    bool timestamp = false;   // print the wall-clock time first (ovsdb-client --timestamp)
};

// JSON as Open vSwitch's tools print it: compact, or (pretty) in its own
// indented layout.
std::string json_text(const nlohmann::json& j, bool pretty);

// Formats one table.  Tables after the first one printed by a process are
// separated by a blank line (list, table and csv formats), as Open vSwitch does.
std::string format_table(const OutTable& t, const Style& style, bool* first_table);

}  // namespace vsctl
