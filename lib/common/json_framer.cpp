#include "common/json_framer.hpp"

namespace common {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool scalar_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' ||
           c == 'E';
}
}  // namespace

void JsonFramer::compact() {
    if (start_ > 0 && (start_ >= buf_.size() / 2 || start_ > (1u << 20))) {
        buf_.erase(0, start_);
        pos_ -= start_;
        start_ = 0;
    }
}

std::optional<std::string> JsonFramer::next() {
    if (!error_.empty()) return std::nullopt;
    while (pos_ < buf_.size()) {
        char c = buf_[pos_];
        if (!in_value_) {
            if (is_space(c)) {
                ++pos_;
                start_ = pos_;
                continue;
            }
            in_value_ = true;
            start_ = pos_;
            depth_ = 0;
            scalar_ = false;
            if (c == '{' || c == '[') {
                depth_ = 1;
            } else if (c == '"') {
                in_string_ = true;
            } else if (scalar_char(c)) {
                scalar_ = true;
            } else {
                error_ = std::string("syntax error at beginning of input (byte 0x") +
                         "0123456789abcdef"[(static_cast<unsigned char>(c) >> 4) & 15] +
                         "0123456789abcdef"[static_cast<unsigned char>(c) & 15] + ")";
                return std::nullopt;
            }
            ++pos_;
            if (!in_string_ && depth_ == 0 && !scalar_) break;
            continue;
        }
        if (pos_ - start_ >= max_) {
            error_ = "message too long (over " + std::to_string(max_) + " bytes)";
            buf_.clear();
            return std::nullopt;
        }
        if (in_string_) {
            if (escape_) {
                escape_ = false;
            } else if (c == '\\') {
                escape_ = true;
            } else if (c == '"') {
                in_string_ = false;
                if (depth_ == 0) {      // a top-level string is complete
                    ++pos_;
                    goto done;
                }
            }
            ++pos_;
            continue;
        }
        if (scalar_) {
            if (scalar_char(c)) {
                ++pos_;
                continue;
            }
            goto done;                  // the delimiter is not part of the value
        }
        if (c == '"') {
            in_string_ = true;
        } else if (c == '{' || c == '[') {
            ++depth_;
        } else if (c == '}' || c == ']') {
            if (--depth_ == 0) {
                ++pos_;
                goto done;
            }
        }
        ++pos_;
    }
    // Fast path for long strings: nothing completes until more bytes arrive.
    if (pos_ - start_ > max_ && in_value_) {
        error_ = "message too long (over " + std::to_string(max_) + " bytes)";
        buf_.clear();
    }
    return std::nullopt;

done : {
    std::string text = buf_.substr(start_, pos_ - start_);
    in_value_ = false;
    scalar_ = false;
    start_ = pos_;
    compact();
    return text;
}
}

}  // namespace common
