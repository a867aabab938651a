// XapiClient: calls XAPI over its local socket the way XenAPI.xapi_local()
// does — an HTTP POST of an XML-RPC methodCall to the unix socket
// (/var/xapi/xapi), the answer a struct {Status: "Success", Value: ...} or
// {Status: "Failure", ErrorDescription: [...]}.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "xapi-plugin/xmlrpc.hpp"

namespace xapi {

// XAPI answered with Status "Failure".
struct Failure : std::runtime_error {
    explicit Failure(std::vector<std::string> description);
    std::vector<std::string> description;
};

// XAPI could not be reached or answered something unreadable.
struct TransportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One HTTP/1.1 POST over a unix socket; returns the body.  Handles
// Content-Length, chunked and read-until-close responses.
std::string http_post_unix(const std::string& socket_path, const std::string& path, const std::string& body,
                           std::chrono::milliseconds timeout);

class Client {
public:
    Client(std::string socket_path, std::string session)
        : socket_(std::move(socket_path)), session_(std::move(session)) {}

    // Logs in when the plugin was given no session.
    void login(const std::string& user = "root", const std::string& password = "");
    const std::string& session() const { return session_; }

    // Calls `method` with the session as first argument.
    xmlrpc::Value call(const std::string& method, xmlrpc::Array args = {});

private:
    xmlrpc::Value call_raw(const std::string& method, xmlrpc::Array params);
    std::string socket_;
    std::string session_;
};

}  // namespace xapi
