// ovsdb-bench-client: the load generator of bench/ovsdb/run.
//
// A JSON-RPC client over a unix socket that costs the machine as little as
// possible, so that the figures measure the server rather than the client:
// requests are formatted with snprintf, replies are only framed (a
// string-aware brace counter) and checked for the one thing each workload
// needs, and every connection of a workload is driven by one thread with
// epoll.  bench/ovsdb/run uses the same client for our server and for
// Debian's.
//
//   ovsdb-bench-client SOCKET seq N               N sequential 1-row inserts
//   ovsdb-bench-client SOCKET pipe N DEPTH        N inserts, DEPTH per round trip
//   ovsdb-bench-client SOCKET conc SECONDS CLIENTS  CLIENTS connections, each sequential
//   ovsdb-bench-client SOCKET mon WRITES MONITORS  MONITORS monitors, one writer
//   ovsdb-bench-client SOCKET load ROWS BATCH     ROWS rows in BATCH-row transactions
//   ovsdb-bench-client SOCKET select ROWS         one full select, expects ROWS rows
//
// Prints one JSON object: {"rate": ops per second} or {"seconds": s}.  Any
// failed transaction or unexpected reply ends the run with exit status 1.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "ovsdb-bench-client: %s\n", why.c_str());
    std::exit(1);
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int connect_unix(const char* path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket: " + std::string(std::strerror(errno)));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        die(std::string("connect ") + path + ": " + std::strerror(errno));
    return fd;
}

void send_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("send: " + std::string(std::strerror(errno)));
        }
        s.remove_prefix(static_cast<size_t>(n));
    }
}

// Splits a byte stream into top-level JSON objects.
class Framer {
public:
    // Reads once from fd (blocking unless the fd is non-blocking); false at EOF.
    bool fill(int fd) {
        if (start_ > 0 && start_ == buf_.size()) {
            buf_.clear();
            pos_ = start_ = 0;
        } else if (start_ > (1u << 20)) {
            buf_.erase(0, start_);
            pos_ -= start_;
            start_ = 0;
        }
        size_t old = buf_.size();
        buf_.resize(old + 65536);
        ssize_t n;
        do n = ::recv(fd, buf_.data() + old, 65536, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0, buf_.resize(old);
        else if (n <= 0) {
            buf_.resize(old);
            return false;
        } else buf_.resize(old + static_cast<size_t>(n));
        return true;
    }
    // The next complete message, if one is buffered.  Valid until fill().
    bool next(std::string_view& msg) {
        for (; pos_ < buf_.size(); ++pos_) {
            char c = buf_[pos_];
            if (in_str_) {
                if (esc_) esc_ = false;
                else if (c == '\\') esc_ = true;
                else if (c == '"') in_str_ = false;
                continue;
            }
            if (depth_ == 0) {
                if (c == '{') {
                    start_ = pos_;
                    depth_ = 1;
                } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    die("unexpected byte outside a message");
                }
                continue;
            }
            if (c == '"') in_str_ = true;
            else if (c == '{' || c == '[') ++depth_;
            else if ((c == '}' || c == ']') && --depth_ == 0) {
                ++pos_;
                msg = std::string_view(buf_).substr(start_, pos_ - start_);
                start_ = pos_;
                return true;
            }
        }
        if (depth_ == 0) start_ = pos_;
        return false;
    }

private:
    std::string buf_;
    size_t pos_ = 0, start_ = 0;
    int depth_ = 0;
    bool in_str_ = false, esc_ = false;
};

size_t count(std::string_view hay, std::string_view needle) {
    size_t n = 0;
    for (size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
}

bool is_update(std::string_view m) { return m.find("\"method\":\"update") != std::string_view::npos; }

// A successful insert transaction: one "uuid" result per row, no error.
void check_insert_reply(std::string_view m, size_t rows) {
    if (m.find("\"error\":null") == std::string_view::npos || m.find("\"details\"") != std::string_view::npos ||
        count(m, "\"uuid\",") < rows)
        die("transaction failed: " + std::string(m.substr(0, 400)));
}

std::string insert_request(long k, long rows, long id) {
    std::string s = "{\"method\":\"transact\",\"params\":[\"Bench\"";
    char tmp[160];
    for (long i = 0; i < rows; ++i) {
        std::snprintf(tmp, sizeof tmp, ",{\"op\":\"insert\",\"table\":\"Row\",\"row\":{\"k\":%ld,\"v\":\"value %ld\"}}",
                      k + i, k + i);
        s += tmp;
    }
    std::snprintf(tmp, sizeof tmp, "],\"id\":%ld}", id);
    return s + tmp;
}

struct Conn {
    int fd = -1;
    Framer in;
    long id = 0;
    long done = 0;      // completed transactions, or rows seen (monitors)
    bool busy = false;
};

// Blocks until conn's next message that is not an update notification.
std::string_view next_reply(Conn& c) {
    std::string_view m;
    for (;;) {
        while (c.in.next(m))
            if (!is_update(m)) return m;
        if (!c.in.fill(c.fd)) die("connection closed by the server");
    }
}

void print_rate(double ops, double secs) { std::printf("{\"rate\": %.3f, \"seconds\": %.6f}\n", ops / secs, secs); }

int w_seq(const char* sock, long n) {
    Conn c;
    c.fd = connect_unix(sock);
    double t0 = now();
    for (long i = 0; i < n; ++i) {
        send_all(c.fd, insert_request(i, 1, i));
        check_insert_reply(next_reply(c), 1);
    }
    print_rate(static_cast<double>(n), now() - t0);
    return 0;
}

int w_pipe(const char* sock, long n, long depth) {
    Conn c;
    c.fd = connect_unix(sock);
    double t0 = now();
    long done = 0;
    while (done < n) {
        std::string batch;
        for (long i = 0; i < depth; ++i) batch += insert_request(done + i, 1, done + i);
        send_all(c.fd, batch);
        for (long i = 0; i < depth; ++i) check_insert_reply(next_reply(c), 1);
        done += depth;
    }
    print_rate(static_cast<double>(done), now() - t0);
    return 0;
}

// Drives conns with epoll: on_msg(conn, message) for every message; returns
// when stop() says so.
template <class OnMsg, class Stop>
void loop(std::vector<Conn>& conns, OnMsg on_msg, Stop stop) {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (size_t i = 0; i < conns.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    std::vector<epoll_event> evs(conns.size());
    while (!stop()) {
        int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
        if (n < 0 && errno != EINTR) die("epoll_wait: " + std::string(std::strerror(errno)));
        for (int i = 0; i < n; ++i) {
            Conn& c = conns[evs[i].data.u64];
            if (!c.in.fill(c.fd)) die("connection closed by the server");
            std::string_view m;
            while (c.in.next(m)) on_msg(c, m);
        }
    }
    ::close(ep);
}

int w_conc(const char* sock, double seconds, long clients) {
    std::vector<Conn> conns(static_cast<size_t>(clients));
    for (auto& c : conns) c.fd = connect_unix(sock);
    double t0 = now(), end = t0 + seconds;
    bool stopping = false;
    long outstanding = 0;
    auto issue = [&](Conn& c, size_t idx) {
        send_all(c.fd, insert_request(static_cast<long>(idx) * 10'000'000 + c.done, 1, c.id++));
        c.busy = true;
        ++outstanding;
    };
    for (size_t i = 0; i < conns.size(); ++i) issue(conns[i], i);
    loop(
        conns,
        [&](Conn& c, std::string_view m) {
            check_insert_reply(m, 1);
            c.busy = false;
            --outstanding;
            ++c.done;
            if (!stopping && now() >= end) stopping = true;
            if (!stopping) issue(c, static_cast<size_t>(&c - conns.data()));
        },
        [&] { return stopping && outstanding == 0; });
    double dt = now() - t0;
    long total = 0;
    for (auto& c : conns) total += c.done;
    print_rate(static_cast<double>(total), dt);
    return 0;
}

int w_mon(const char* sock, long writes, long monitors) {
    std::vector<Conn> conns(static_cast<size_t>(monitors) + 1);   // the last one writes
    for (size_t i = 0; i + 1 < conns.size(); ++i) {
        Conn& c = conns[i];
        c.fd = connect_unix(sock);
        char req[200];
        std::snprintf(req, sizeof req,
                      "{\"method\":\"monitor\",\"params\":[\"Bench\",\"m%zu\",{\"Row\":{\"columns\":[\"k\"]}}],"
                      "\"id\":0}",
                      i);
        send_all(c.fd, req);
        std::string_view r = next_reply(c);
        if (r.find("\"error\":null") == std::string_view::npos) die("monitor failed: " + std::string(r));
    }
    Conn& w = conns.back();
    w.fd = connect_unix(sock);
    long finished = 0;
    double t0 = now();
    send_all(w.fd, insert_request(0, 1, w.id++));
    loop(
        conns,
        [&](Conn& c, std::string_view m) {
            if (&c == &w) {
                check_insert_reply(m, 1);
                if (++w.done < writes) send_all(w.fd, insert_request(w.done, 1, w.id++));
                return;
            }
            if (!is_update(m)) die("unexpected message on a monitor: " + std::string(m.substr(0, 200)));
            long before = c.done;
            c.done += static_cast<long>(count(m, "\"new\":"));
            if (before < writes && c.done >= writes) ++finished;
        },
        [&] { return finished == monitors; });
    print_rate(static_cast<double>(writes * monitors), now() - t0);
    return 0;
}

int w_load(const char* sock, long rows, long batch) {
    Conn c;
    c.fd = connect_unix(sock);
    double t0 = now();
    for (long base = 0; base < rows; base += batch) {
        long n = std::min(batch, rows - base);
        send_all(c.fd, insert_request(base, n, base));
        check_insert_reply(next_reply(c), static_cast<size_t>(n));
    }
    double dt = now() - t0;
    std::printf("{\"seconds\": %.6f}\n", dt);
    return 0;
}

int w_select(const char* sock, long rows) {
    Conn c;
    c.fd = connect_unix(sock);
    double t0 = now();
    send_all(c.fd,
             "{\"method\":\"transact\",\"params\":[\"Bench\",{\"op\":\"select\",\"table\":\"Row\",\"where\":[]}],"
             "\"id\":1}");
    std::string_view m = next_reply(c);
    double dt = now() - t0;
    // Each row has its _uuid and _version: two ["uuid", ...] pairs.
    long got = static_cast<long>(count(m, "\"_uuid\":"));
    if (got != rows) die("select returned " + std::to_string(got) + " rows, expected " + std::to_string(rows));
    std::printf("{\"seconds\": %.6f}\n", dt);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s SOCKET seq|pipe|conc|mon|load|select ARGS...\n", argv[0]);
        return 2;
    }
    const char* sock = argv[1];
    std::string mode = argv[2];
    auto arg = [&](int i) -> double {
        if (i >= argc) die("missing argument for " + mode);
        return std::atof(argv[i]);
    };
    if (mode == "seq") return w_seq(sock, static_cast<long>(arg(3)));
    if (mode == "pipe") return w_pipe(sock, static_cast<long>(arg(3)), static_cast<long>(arg(4)));
    if (mode == "conc") return w_conc(sock, arg(3), static_cast<long>(arg(4)));
    if (mode == "mon") return w_mon(sock, static_cast<long>(arg(3)), static_cast<long>(arg(4)));
    if (mode == "load") return w_load(sock, static_cast<long>(arg(3)), static_cast<long>(arg(4)));
    if (mode == "select") return w_select(sock, static_cast<long>(arg(3)));
    die("unknown mode " + mode);
}
