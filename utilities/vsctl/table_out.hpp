// Tables of OVSDB values printed the way Open vSwitch's tools print them
// (`list`, `find` and friends): --format=list|table|csv|json|html,
// --data=string|bare|json, --no-headings, --bare, --max-column-width.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

struct Cell {
    ovsdb::Datum datum;
    ovsdb::Type type;
};

struct OutTable {
    std::vector<std::string> headings;
    std::vector<std::vector<Cell>> rows;
};

// Formats one table.  Tables after the first one printed by a process are
// separated by a blank line (list, table and csv formats), as Open vSwitch does.
std::string format_table(const OutTable& t, const Style& style, bool* first_table);

}  // namespace vsctl
