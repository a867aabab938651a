#include "dpif/error.hpp"

#include <cstring>

namespace dpif {

std::string error_text(int errnum, const std::string& context)
{
    char buf[128];
    // GNU strerror_r returns a pointer that may or may not be buf.
    const char* text = strerror_r(errnum, buf, sizeof buf);
    return context + ": " + text;
}

Error::Error(int errnum, const std::string& context)
    : std::runtime_error(error_text(errnum, context)), code_(errnum)
{
}

Error::Error(const std::string& context, const Error& inner)
    : std::runtime_error(context + ": " + inner.what()), code_(inner.code())
{
}

}  // namespace dpif
