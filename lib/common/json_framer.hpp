// JsonFramer: splits a byte stream into JSON texts.
//
// JSON-RPC over a stream (RFC 7047 section 3) has no delimiters: messages are
// JSON values back to back.  The framer scans bytes as they arrive, tracking
// string/escape state and nesting depth, and hands out each complete
// top-level value as it closes.  It never re-scans a byte, so a huge message
// costs linear time, and it refuses a value longer than the limit as soon as
// the limit is passed (without buffering the rest).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace common {

class JsonFramer {
public:
    static constexpr size_t kDefaultMaxMessage = 64u << 20;   // 64 MiB

    explicit JsonFramer(size_t max_message = kDefaultMaxMessage) : max_(max_message) {}

    // Appends received bytes.  Call next() until it returns nullopt.
    void feed(std::string_view bytes) { buf_.append(bytes); }

    // The next complete JSON text, if one is buffered.  After an error
    // (error() non-empty) it returns nothing more.
    std::optional<std::string> next();

    // Non-empty once the stream can no longer be framed: a value that does
    // not start like JSON, or one over the size limit.
    const std::string& error() const { return error_; }

    // Bytes buffered but not yet returned (part of an unfinished value).
    size_t pending() const { return buf_.size() - start_; }

private:
    std::string buf_;
    size_t start_ = 0;      // start of the value being scanned
    size_t pos_ = 0;        // next byte to scan
    int depth_ = 0;
    bool in_value_ = false;
    bool in_string_ = false;
    bool escape_ = false;
    bool scalar_ = false;   // a top-level number/true/false/null
    size_t max_;
    std::string error_;

    void compact();
};

}  // namespace common
