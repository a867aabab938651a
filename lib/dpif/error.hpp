// dpif::Error: the one exception type of the datapath interface.
//
// Every failure carries an errno value (as the kernel reports it, or EPROTO
// for malformed messages, ENOENT for missing objects, ...) and a message that
// names the operation and includes the errno text, so callers can both branch
// on the code and show the message to an operator.
#pragma once

#include <stdexcept>
#include <string>

namespace dpif {

class Error : public std::runtime_error {
public:
    Error(int errnum, const std::string& context);
    // Adds context in front of another error, keeping its code and text:
    // "context: <inner.what()>".
    Error(const std::string& context, const Error& inner);
    int code() const noexcept { return code_; }

private:
    int code_;
};

// "context: <strerror(errnum)>"
std::string error_text(int errnum, const std::string& context);

}  // namespace dpif
