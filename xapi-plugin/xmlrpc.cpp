#include "xapi-plugin/xmlrpc.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace xmlrpc {

const std::string& Value::str() const {
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    throw std::runtime_error("expected a string");
}

const Array& Value::array() const {
    if (auto* a = std::get_if<Array>(&v)) return *a;
    throw std::runtime_error("expected an array");
}

const Struct& Value::members() const {
    if (auto* s = std::get_if<Struct>(&v)) return *s;
    throw std::runtime_error("expected a struct");
}

const Value* Value::get(const std::string& name) const {
    auto* s = std::get_if<Struct>(&v);
    if (!s) return nullptr;
    auto it = s->find(name);
    return it == s->end() ? nullptr : &it->second;
}

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string serialize(const Value& v) {
    struct Visitor {
        std::string operator()(const std::string& s) const { return "<value><string>" + escape(s) + "</string></value>"; }
        std::string operator()(int64_t i) const { return "<value><int>" + std::to_string(i) + "</int></value>"; }
        std::string operator()(bool b) const { return std::string("<value><boolean>") + (b ? "1" : "0") + "</boolean></value>"; }
        std::string operator()(double d) const {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", d);
            return std::string("<value><double>") + buf + "</double></value>";
        }
        std::string operator()(const Array& a) const {
            std::string s = "<value><array><data>\n";
            for (const auto& e : a) s += serialize(e) + "\n";
            return s + "</data></array></value>";
        }
        std::string operator()(const Struct& st) const {
            std::string s = "<value><struct>\n";
            for (const auto& [k, e] : st) s += "<member>\n<name>" + escape(k) + "</name>\n" + serialize(e) + "\n</member>\n";
            return s + "</struct></value>";
        }
        std::string operator()(const Nil&) const { return "<value><nil/></value>"; }
    };
    return std::visit(Visitor{}, v.v);
}

std::string method_call(const Call& c) {
    std::string s = "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + escape(c.method) + "</methodName>\n<params>\n";
    for (const auto& p : c.params) s += "<param>\n" + serialize(p) + "\n</param>\n";
    return s + "</params>\n</methodCall>\n";
}

std::string method_response(const Value& v) {
    return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n" + serialize(v) +
           "\n</param>\n</params>\n</methodResponse>\n";
}

namespace {

// A small pull parser for the XML subset XML-RPC uses: elements, text,
// the five entities and numeric character references; declarations and
// comments are skipped.
class Parser {
public:
    explicit Parser(const std::string& s) : s_(s) {}

    void skip_ws() {
        while (true) {
            while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
            if (s_.compare(i_, 2, "<?") == 0) {
                auto e = s_.find("?>", i_);
                if (e == std::string::npos) throw ParseError("unterminated XML declaration");
                i_ = e + 2;
            } else if (s_.compare(i_, 4, "<!--") == 0) {
                auto e = s_.find("-->", i_);
                if (e == std::string::npos) throw ParseError("unterminated comment");
                i_ = e + 3;
            } else {
                return;
            }
        }
    }

    // Reads "<name>" or "<name/>"; returns the name, sets *empty.
    std::string open(bool* empty = nullptr) {
        skip_ws();
        if (i_ >= s_.size() || s_[i_] != '<' || (i_ + 1 < s_.size() && s_[i_ + 1] == '/'))
            throw ParseError("expected an element at offset " + std::to_string(i_));
        auto e = s_.find('>', i_);
        if (e == std::string::npos) throw ParseError("unterminated tag");
        std::string tag = s_.substr(i_ + 1, e - i_ - 1);
        i_ = e + 1;
        bool is_empty = !tag.empty() && tag.back() == '/';
        if (is_empty) tag.pop_back();
        auto sp = tag.find_first_of(" \t\r\n");
        if (sp != std::string::npos) tag = tag.substr(0, sp);
        if (empty) *empty = is_empty;
        else if (is_empty) throw ParseError("unexpected empty element <" + tag + "/>");
        return tag;
    }

    void expect_open(const std::string& name, bool* empty = nullptr) {
        std::string t = open(empty);
        if (t != name) throw ParseError("expected <" + name + ">, found <" + t + ">");
    }

    void close(const std::string& name) {
        skip_ws();
        std::string want = "</" + name + ">";
        if (s_.compare(i_, want.size(), want) != 0) throw ParseError("expected " + want);
        i_ += want.size();
    }

    bool at_close() {
        skip_ws();
        return s_.compare(i_, 2, "</") == 0;
    }

    std::string text() {
        std::string out;
        while (i_ < s_.size() && s_[i_] != '<') {
            if (s_[i_] == '&') {
                auto e = s_.find(';', i_);
                if (e == std::string::npos) throw ParseError("unterminated entity");
                std::string ent = s_.substr(i_ + 1, e - i_ - 1);
                if (ent == "lt") out += '<';
                else if (ent == "gt") out += '>';
                else if (ent == "amp") out += '&';
                else if (ent == "quot") out += '"';
                else if (ent == "apos") out += '\'';
                else if (!ent.empty() && ent[0] == '#') {
                    long cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X') ? std::strtol(ent.c_str() + 2, nullptr, 16)
                                                                                 : std::strtol(ent.c_str() + 1, nullptr, 10);
                    append_utf8(out, cp);
                } else {
                    throw ParseError("unknown entity &" + ent + ";");
                }
                i_ = e + 1;
            } else {
                out += s_[i_++];
            }
        }
        return out;
    }

    Value value() {
        bool empty = false;
        expect_open("value", &empty);
        if (empty) return Value(std::string());
        // A value without a type element is a string.
        size_t save = i_;
        skip_ws();
        if (i_ >= s_.size() || s_[i_] != '<' || s_.compare(i_, 2, "</") == 0) {
            i_ = save;
            std::string t = text();
            close("value");
            return Value(t);
        }
        bool type_empty = false;
        std::string type = open(&type_empty);
        Value v;
        if (type_empty) {
            if (type == "nil") v = Value(Nil{});
            else if (type == "string") v = Value(std::string());
            else throw ParseError("empty <" + type + "/>");
            close("value");
            return v;
        }
        if (type == "string") v = Value(text());
        else if (type == "int" || type == "i4" || type == "i8") {
            std::string t = text();
            char* end = nullptr;
            long long n = std::strtoll(t.c_str(), &end, 10);
            if (t.empty() || *end) throw ParseError("bad integer " + t);
            v = Value(int64_t{n});
        } else if (type == "boolean") {
            std::string t = text();
            if (t != "0" && t != "1") throw ParseError("bad boolean " + t);
            v = Value(t == "1");
        } else if (type == "double") {
            v = Value(std::strtod(text().c_str(), nullptr));
        } else if (type == "array") {
            expect_open("data");
            Array a;
            while (!at_close()) a.push_back(value());
            close("data");
            v = Value(std::move(a));
        } else if (type == "struct") {
            Struct st;
            while (!at_close()) {
                expect_open("member");
                expect_open("name");
                std::string name = text();
                close("name");
                st[name] = value();
                close("member");
            }
            v = Value(std::move(st));
        } else {
            throw ParseError("unsupported XML-RPC type <" + type + ">");
        }
        close(type);
        close("value");
        return v;
    }

    void end() {
        skip_ws();
        if (i_ != s_.size()) throw ParseError("trailing data after the message");
    }

private:
    static void append_utf8(std::string& out, long cp) {
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    const std::string& s_;
    size_t i_ = 0;
};

}  // namespace

Call parse_method_call(const std::string& xml) {
    Parser p(xml);
    Call c;
    p.expect_open("methodCall");
    p.expect_open("methodName");
    c.method = p.text();
    p.close("methodName");
    if (!p.at_close()) {
        bool empty = false;
        p.expect_open("params", &empty);
        if (!empty) {
            while (!p.at_close()) {
                p.expect_open("param");
                c.params.push_back(p.value());
                p.close("param");
            }
            p.close("params");
        }
    }
    p.close("methodCall");
    p.end();
    return c;
}

Value parse_method_response(const std::string& xml) {
    Parser p(xml);
    p.expect_open("methodResponse");
    std::string t = p.open();
    Value v;
    if (t == "fault") {
        Value f = p.value();
        const Value* fs = f.get("faultString");
        throw ParseError("XML-RPC fault: " + (fs && fs->is_string() ? fs->str() : std::string("?")));
    }
    if (t != "params") throw ParseError("expected <params>");
    p.expect_open("param");
    v = p.value();
    p.close("param");
    p.close("params");
    p.close("methodResponse");
    p.end();
    return v;
}

}  // namespace xmlrpc
