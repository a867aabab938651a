// ovsdb::Error: an error that crosses the wire as an OVSDB error object,
// {"error": "<kind>", "details": "<text>"}, with the kinds RFC 7047 names
// ("syntax error", "constraint violation", "referential integrity
// violation", "resources exhausted", "domain error", "range error",
// "timed out", "not supported", "aborted", "not owner", "unknown database",
// "unknown table", "unknown column", ...).
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace ovsdb {

class Error : public std::runtime_error {
public:
    Error(std::string kind, std::string details, std::string syntax = {})
        : std::runtime_error(kind + ": " + details), kind_(std::move(kind)),
          details_(std::move(details)), syntax_(std::move(syntax)) {}

    const std::string& kind() const { return kind_; }
    const std::string& details() const { return details_; }

    nlohmann::json to_json() const {
        nlohmann::json j{{"error", kind_}, {"details", details_}};
        if (!syntax_.empty()) j["syntax"] = syntax_;
        return j;
    }

private:
    std::string kind_, details_, syntax_;
};

inline Error syntax_error(const nlohmann::json& where, const std::string& details) {
    return Error("syntax error", details, where.dump());
}

}  // namespace ovsdb
