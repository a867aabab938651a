#include <catch2/catch.hpp>

#include "utilities/vsctl/table_out.hpp"

using namespace vsctl;
using ovsdb::Atom;
using ovsdb::Datum;

namespace {
OutTable sample() {
    ovsdb::Type s = ovsdb::Type::from_json("string");
    ovsdb::Type m = ovsdb::Type::from_json(nlohmann::json::parse(
        R"({"key": "string", "value": "string", "min": 0, "max": "unlimited"})"));
    Datum map({Atom(std::string("a"))}, {Atom(std::string("1"))});
    map.set_map(true);
    OutTable t;
    t.headings = {"name", "other_config"};
    t.rows.push_back({{Datum::scalar(Atom(std::string("br0"))), s}, {map, m}});
    t.rows.push_back({{Datum::scalar(Atom(std::string("br 1"))), s}, {Datum(), m}});
    return t;
}
}  // namespace

TEST_CASE("list format, as ovs-vsctl list prints it") {
    bool first = true;
    Style st;
    CHECK(format_table(sample(), st, &first) ==
          "name                : br0\n"
          "other_config        : {a=\"1\"}\n"
          "\n"
          "name                : \"br 1\"\n"
          "other_config        : {}\n");
    // A second table is separated by a blank line.
    CHECK(format_table(sample(), st, &first).rfind("\nname", 0) == 0);
}

TEST_CASE("table, csv, bare, json and html formats") {
    bool first = true;
    Style st;
    st.set_format("table");
    CHECK(format_table(sample(), st, &first) ==
          "name   other_config\n"
          "------ ------------\n"
          "br0    {a=\"1\"}\n"
          "\"br 1\" {}\n");
    first = true;
    st.set_format("csv");
    CHECK(format_table(sample(), st, &first) == "name,other_config\nbr0,\"{a=\"\"1\"\"}\"\n\"\"\"br 1\"\"\",{}\n");
    first = true;
    Style bare;
    bare.data = Style::Data::Bare;
    bare.headings = false;
    CHECK(format_table(sample(), bare, &first) == "br0\na=1\n\nbr 1\n\n");
    Style js;
    js.set_format("json");
    CHECK(format_table(sample(), js, &first) ==
          "{\"data\":[[\"br0\",[\"map\",[[\"a\",\"1\"]]]],[\"br 1\",[\"map\",[]]]],\"headings\":[\"name\",\"other_config\"]}\n");
    js.pretty = true;
    OutTable one;
    one.headings = {"name"};
    one.rows.push_back({{Datum::scalar(Atom(std::string("br0"))), ovsdb::Type::from_json("string")}});
    CHECK(format_table(one, js, &first) == "{\n  \"data\": [\n    [\n      \"br0\"]],\n  \"headings\": [\n    \"name\"]}\n");
    Style html;
    html.set_format("html");
    std::string h = format_table(sample(), html, &first);
    CHECK(h.find("<td>{a=&quot;1&quot;}</td>") != std::string::npos);
    CHECK_THROWS_WITH(html.set_format("xml"), "unknown output format \"xml\"");
    CHECK_THROWS_WITH(html.set_data("xml"), "unknown data format \"xml\"");
}
