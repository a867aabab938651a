#include "utilities/vsctl/table_out.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "utilities/vsctl/text_value.hpp"

namespace vsctl {

namespace {

std::string cell_text(const Cell& c, const Style& s) {
    if (c.text) return *c.text;
    if (c.json) return c.json->dump();
    switch (s.data) {
    case Style::Data::Json: return c.datum.to_json(c.type).dump();
    case Style::Data::Bare: return datum_to_bare(c.datum, c.type);
    case Style::Data::String: break;
    }
    return datum_to_string(c.datum, c.type);
}

void finish_line(std::string& s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    s += '\n';
}

std::string pad(const std::string& text, size_t width, bool truncate) {
    std::string t = truncate && text.size() > width ? text.substr(0, width) : text;
    if (t.size() < width) t.append(width - t.size(), ' ');
    return t;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

// UUIDs inside a cell become links to the row that has them.
std::string html_cell(const char* element, const std::string& content) {
    std::string out = std::string("    <") + element + ">";
    for (size_t i = 0; i < content.size();) {
        if (i + 36 <= content.size() && ovsdb::Uuid::is_valid(content.substr(i, 36))) {
            out += "<a href=\"#" + content.substr(i, 36) + "\">" + content.substr(i, 8) + "</a>";
            i += 36;
        } else {
            out += html_escape(content.substr(i, 1));
            ++i;
        }
    }
    return out + "</" + element + ">\n";
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of("\n\",") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Open vSwitch's own pretty JSON layout: objects and arrays open a new
// indented line per member, closing brackets stay on the last member's line;
// an empty object still opens a line ("{\n  }"), an empty array does not.
void pretty(const nlohmann::json& j, int indent, std::string& out) {
    if (j.is_object() && j.empty()) {
        out += "{\n";
        out.append(indent + 2, ' ');
        out += "}";
    } else if (j.is_object()) {
        out += "{";
        bool first = true;
        for (auto& [k, v] : j.items()) {
            out += first ? "\n" : ",\n";
            first = false;
            out.append(indent + 2, ' ');
            out += nlohmann::json(k).dump() + ": ";
            pretty(v, indent + 2, out);
        }
        out += "}";
    } else if (j.is_array() && !j.empty()) {
        out += "[";
        bool first = true;
        for (const auto& v : j) {
            out += first ? "\n" : ",\n";
            first = false;
            out.append(indent + 2, ' ');
            pretty(v, indent + 2, out);
        }
        out += "]";
    } else {
        out += j.dump();
    }
}

}  // namespace

std::string json_text(const nlohmann::json& j, bool pretty_print) {
    if (!pretty_print) return j.dump();
    std::string s;
    pretty(j, 0, s);
    return s;
}

void Style::set_format(const std::string& name) {
    if (name == "table") format = Format::Table;
    else if (name == "list") format = Format::List;
    else if (name == "html") format = Format::Html;
    else if (name == "csv") format = Format::Csv;
    else if (name == "json") format = Format::Json;
    else throw std::runtime_error("unknown output format \"" + name + "\"");
}

void Style::set_data(const std::string& name) {
    if (name == "string") data = Data::String;
    else if (name == "bare") data = Data::Bare;
    else if (name == "json") data = Data::Json;
    else throw std::runtime_error("unknown data format \"" + name + "\"");
}

std::string wall_time() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    char out[80];
    std::snprintf(out, sizeof out, "%s.%03lld", buf, static_cast<long long>(ms));
    return out;
}

std::string format_table(const OutTable& t, const Style& style, bool* first_table) {
    std::string s;
    auto separator = [&] {
        if (*first_table) *first_table = false;
        else s += '\n';
        if (t.timestamp) s += wall_time() + "\n";
        if (t.caption) s += *t.caption + "\n";
    };
    const size_t ncols = t.headings.size();
    switch (style.format) {
    case Style::Format::List:
        separator();
        for (size_t y = 0; y < t.rows.size(); ++y) {
            if (y) s += '\n';
            for (size_t x = 0; x < ncols; ++x) {
                if (style.headings) s += pad(t.headings[x], 20, false) + ": ";
                s += cell_text(t.rows[y][x], style) + "\n";
            }
        }
        break;
    case Style::Format::Table: {
        separator();
        std::vector<std::vector<std::string>> text(t.rows.size());
        std::vector<size_t> widths(ncols, 0);
        for (size_t y = 0; y < t.rows.size(); ++y)
            for (size_t x = 0; x < ncols; ++x) {
                text[y].push_back(cell_text(t.rows[y][x], style));
                widths[x] = std::max(widths[x], text[y][x].size());
            }
        for (size_t x = 0; x < ncols; ++x) {
            if (style.max_column_width > 0 && widths[x] > static_cast<size_t>(style.max_column_width))
                widths[x] = static_cast<size_t>(style.max_column_width);
            if (style.headings) widths[x] = std::max(widths[x], t.headings[x].size());
        }
        if (style.headings) {
            for (size_t x = 0; x < ncols; ++x) s += (x ? " " : "") + pad(t.headings[x], widths[x], false);
            finish_line(s);
            for (size_t x = 0; x < ncols; ++x) s += (x ? " " : "") + std::string(widths[x], '-');
            finish_line(s);
        }
        for (size_t y = 0; y < t.rows.size(); ++y) {
            for (size_t x = 0; x < ncols; ++x) s += (x ? " " : "") + pad(text[y][x], widths[x], true);
            finish_line(s);
        }
        break;
    }
    case Style::Format::Csv:
        separator();
        if (style.headings) {
            for (size_t x = 0; x < ncols; ++x) s += (x ? "," : "") + csv_cell(t.headings[x]);
            s += '\n';
        }
        for (const auto& row : t.rows) {
            for (size_t x = 0; x < ncols; ++x) s += (x ? "," : "") + csv_cell(cell_text(row[x], style));
            s += '\n';
        }
        break;
    case Style::Format::Html:
        if (t.timestamp) s += wall_time() + "\n";
        s += "<table border=1>\n";
        if (t.caption) s += html_cell("caption", *t.caption);
        if (style.headings) {
            s += "  <tr>\n";
            for (const auto& h : t.headings) s += html_cell("th", h);
            s += "  </tr>\n";
        }
        for (const auto& row : t.rows) {
            s += "  <tr>\n";
            for (size_t x = 0; x < ncols; ++x) {
                std::string content = cell_text(row[x], style);
                if (t.headings[x] == "_uuid")
                    s += "    <td><a name=\"" + html_escape(content) + "\">" + html_escape(content.substr(0, 8)) +
                         "</a></td>\n";
                else
                    s += html_cell("td", content);
            }
            s += "  </tr>\n";
        }
        s += "</table>\n";
        break;
    case Style::Format::Json: {
        nlohmann::json data = nlohmann::json::array();
        for (const auto& row : t.rows) {
            nlohmann::json r = nlohmann::json::array();
            for (const auto& c : row) r.push_back(c.json ? *c.json : c.text ? nlohmann::json(*c.text) : c.datum.to_json(c.type));
            data.push_back(std::move(r));
        }
        nlohmann::json j = {{"data", data}, {"headings", t.headings}};
        if (t.caption) j["caption"] = *t.caption;
        if (t.timestamp) j["time"] = wall_time();
        if (style.pretty) pretty(j, 0, s);
        else s += j.dump();
        s += '\n';
        break;
    }
    }
    return s;
}

}  // namespace vsctl
