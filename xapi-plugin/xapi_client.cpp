#include "xapi-plugin/xapi_client.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace xapi {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw TransportError("timed out talking to XAPI");
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) throw TransportError("timed out talking to XAPI");
    if (r < 0 && errno != EINTR) throw TransportError(std::string("poll: ") + std::strerror(errno));
}

std::string dechunk(const std::string& body) {
    std::string out;
    size_t i = 0;
    while (true) {
        auto eol = body.find("\r\n", i);
        if (eol == std::string::npos) throw TransportError("malformed chunked response");
        size_t n = std::strtoul(body.substr(i, eol - i).c_str(), nullptr, 16);
        i = eol + 2;
        if (n == 0) return out;
        if (i + n > body.size()) throw TransportError("truncated chunked response");
        out += body.substr(i, n);
        i += n + 2;
    }
}

}  // namespace

Failure::Failure(std::vector<std::string> d)
    : std::runtime_error("XAPI failure: " + join(d)), description(std::move(d)) {}

std::string http_post_unix(const std::string& socket_path, const std::string& path, const std::string& body,
                           std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    Fd s;
    s.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd < 0) throw TransportError(std::string("socket: ") + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) throw TransportError(socket_path + ": path too long");
    std::strcpy(addr.sun_path, socket_path.c_str());
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw TransportError(socket_path + ": " + std::strerror(errno));
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: openvswitch-cfg-update\r\n"
                      "Content-Type: text/xml\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < req.size()) {
        wait_for(s.fd, POLLOUT, deadline);
        ssize_t n = ::send(s.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw TransportError(std::string("send: ") + std::strerror(errno));
        }
        sent += static_cast<size_t>(n);
    }
    std::string resp;
    char buf[65536];
    size_t header_end = std::string::npos;
    long content_length = -1;
    bool chunked = false;
    while (true) {
        if (header_end != std::string::npos && content_length >= 0 &&
            resp.size() >= header_end + 4 + static_cast<size_t>(content_length))
            break;
        wait_for(s.fd, POLLIN, deadline);
        ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw TransportError(std::string("recv: ") + std::strerror(errno));
        }
        if (n == 0) break;
        resp.append(buf, static_cast<size_t>(n));
        if (resp.size() > (64u << 20)) throw TransportError("XAPI response too large");
        if (header_end == std::string::npos && (header_end = resp.find("\r\n\r\n")) != std::string::npos) {
            std::string head = resp.substr(0, header_end);
            for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (auto p = head.find("content-length:"); p != std::string::npos)
                content_length = std::strtol(head.c_str() + p + 15, nullptr, 10);
            chunked = head.find("transfer-encoding: chunked") != std::string::npos;
        }
    }
    if (header_end == std::string::npos) throw TransportError("malformed HTTP response from XAPI");
    std::string status = resp.substr(0, resp.find("\r\n"));
    if (status.find(" 200") == std::string::npos) throw TransportError("XAPI answered: " + status);
    std::string out = resp.substr(header_end + 4);
    if (chunked) out = dechunk(out);
    else if (content_length >= 0) out = out.substr(0, static_cast<size_t>(content_length));
    return out;
}

xmlrpc::Value Client::call_raw(const std::string& method, xmlrpc::Array params) {
    std::string body = xmlrpc::method_call({method, std::move(params)});
    std::string reply = http_post_unix(socket_, "/", body, std::chrono::seconds(30));
    xmlrpc::Value v;
    try {
        v = xmlrpc::parse_method_response(reply);
    } catch (const xmlrpc::ParseError& e) {
        throw TransportError(std::string("bad XML-RPC response from XAPI: ") + e.what());
    }
    const xmlrpc::Value* status = v.get("Status");
    if (!status || !status->is_string()) throw TransportError("XAPI response without Status");
    if (status->str() == "Success") {
        const xmlrpc::Value* value = v.get("Value");
        return value ? *value : xmlrpc::Value();
    }
    std::vector<std::string> desc;
    if (const xmlrpc::Value* ed = v.get("ErrorDescription"); ed && ed->is_array())
        for (const auto& e : ed->array()) desc.push_back(e.is_string() ? e.str() : "?");
    throw Failure(std::move(desc));
}

void Client::login(const std::string& user, const std::string& password) {
    session_ = call_raw("session.login_with_password", {user, password}).str();
}

xmlrpc::Value Client::call(const std::string& method, xmlrpc::Array args) {
    args.insert(args.begin(), xmlrpc::Value(session_));
    return call_raw(method, std::move(args));
}

}  // namespace xapi
