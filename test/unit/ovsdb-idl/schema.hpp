// A small schema with every column shape the IDL handles, for its tests.
#pragma once

#include <initializer_list>
#include <utility>

#include <nlohmann/json.hpp>

namespace idl_test {

inline nlohmann::json schema_json() {
    return nlohmann::json::parse(R"({
      "name": "Test", "version": "1.0.0",
      "tables": {
        "Root": {"isRoot": true, "maxRows": 1, "columns": {
          "next_cfg": {"type": "integer"},
          "cur_cfg": {"type": "integer"},
          "bridges": {"type": {"key": {"type": "uuid", "refTable": "Bridge"}, "min": 0, "max": "unlimited"}}}},
        "Bridge": {"isRoot": false, "columns": {
          "name": {"type": "string", "mutable": false},
          "ports": {"type": {"key": {"type": "uuid", "refTable": "Port"}, "min": 0, "max": "unlimited"}},
          "fail_mode": {"type": {"key": {"type": "string", "enum": ["set", ["secure", "standalone"]]}, "min": 0, "max": 1}},
          "other_config": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}}},
        "Port": {"isRoot": false, "columns": {
          "name": {"type": "string"},
          "tag": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 1}},
          "trunks": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 4096}}}}
      }})");
}

// ["map", [[k, v], ...]] for string maps (brace-initialised JSON would make objects).
inline nlohmann::json smap(std::initializer_list<std::pair<const char*, const char*>> kv) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& [k, v] : kv) pairs.push_back(nlohmann::json::array({k, v}));
    return nlohmann::json::array({"map", pairs});
}

}  // namespace idl_test
