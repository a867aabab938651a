#include "meta-flow/subfield.hpp"

#include <cstring>

#include "meta-flow/error.hpp"

namespace mf {

namespace {

bool bit(const Value& v, size_t n_bytes, unsigned i) { return v.b[n_bytes - 1 - i / 8] >> (i % 8) & 1; }

void set_bit(Value& v, size_t n_bytes, unsigned i, bool on)
{
    uint8_t& b = v.b[n_bytes - 1 - i / 8];
    const uint8_t m = static_cast<uint8_t>(1u << (i % 8));
    b = static_cast<uint8_t>(on ? b | m : b & ~m);
}

// "[N..M]" / "[N]" / "[]": returns false on a syntax error.
bool scan_range(std::string_view s, int& start, int& end, size_t& used)
{
    auto number = [&](size_t& i, int& out) {
        const size_t b = i;
        bool neg = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+'))
            neg = s[i++] == '-';
        long v = 0;
        const size_t d = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && v < 1000000)
            v = v * 10 + (s[i++] - '0');
        if (i == d) {
            i = b;
            return false;
        }
        out = static_cast<int>(neg ? -v : v);
        return true;
    };
    if (s.substr(0, 2) == "[]") {
        used = 2;
        return true;
    }
    size_t i = 1;
    int a;
    if (!number(i, a))
        return false;
    if (s.substr(i, 2) == "..") {
        i += 2;
        int b;
        if (!number(i, b) || i >= s.size() || s[i] != ']')
            return false;
        start = a;
        end = b;
        used = i + 1;
        return true;
    }
    if (i >= s.size() || s[i] != ']')
        return false;
    start = end = a;
    used = i + 1;
    return true;
}

}  // namespace

Subfield parse_subfield(std::string_view s, size_t* consumed)
{
    const size_t name_len = std::min(s.find_first_of("[-"), s.size());
    std::string_view name = s.substr(0, name_len);
    const FieldDesc* f = nullptr;
    std::string_view nxm = name;
    if (nxm.size() > 2 && nxm.substr(nxm.size() - 2) == "_W")
        nxm.remove_suffix(2);
    if (auto h = header_by_name(nxm))
        f = h->field;
    if (!f)
        f = field_by_name(name);
    if (!f)
        throw Error(std::string(s) + ": unknown field `" + std::string(name) + "'");
    int start = 0, end = f->n_bits - 1;
    size_t used = name_len;
    if (used < s.size() && s[used] == '[') {
        size_t r = 0;
        if (!scan_range(s.substr(used), start, end, r))
            throw Error(std::string(s) +
                        ": syntax error expecting [] or [<bit>] or [<start>..<end>]");
        used += r;
    }
    if (start > end)
        throw Error(std::string(s) + ": starting bit " + std::to_string(start) +
                    " is after ending bit " + std::to_string(end));
    if (start >= f->n_bits)
        throw Error(std::string(s) + ": starting bit " + std::to_string(start) +
                    " is not valid because field is only " + std::to_string(f->n_bits) +
                    " bits wide");
    if (end >= f->n_bits)
        throw Error(std::string(s) + ": ending bit " + std::to_string(end) +
                    " is not valid because field is only " + std::to_string(f->n_bits) +
                    " bits wide");
    if (start < 0)
        throw Error(std::string(s) + ": syntax error expecting [] or [<bit>] or [<start>..<end>]");
    if (consumed)
        *consumed = used;
    return Subfield{f->id, static_cast<unsigned>(start), static_cast<unsigned>(end - start + 1)};
}

std::string format_subfield(const Subfield& sf)
{
    const FieldDesc& f = field(sf.field);
    auto h = field_header(sf.field, 0);
    std::string s(h ? h->name : f.name);
    if (sf.ofs == 0 && sf.n_bits == f.n_bits)
        s += "[]";
    else if (sf.n_bits == 1)
        s += "[" + std::to_string(sf.ofs) + "]";
    else
        s += "[" + std::to_string(sf.ofs) + ".." + std::to_string(sf.ofs + sf.n_bits - 1) + "]";
    return s;
}

Value read_subfield(const Flow& flow, const Subfield& sf)
{
    const FieldDesc& f = field(sf.field);
    const Value v = get_field(flow, sf.field);
    Value out;
    for (unsigned i = 0; i < sf.n_bits; ++i)
        set_bit(out, f.n_bytes, i, bit(v, f.n_bytes, sf.ofs + i));
    return out;
}

void write_subfield(Flow& flow, const Subfield& sf, const Value& bits)
{
    const FieldDesc& f = field(sf.field);
    Value v = get_field(flow, sf.field);
    for (unsigned i = 0; i < sf.n_bits; ++i)
        set_bit(v, f.n_bytes, sf.ofs + i, bit(bits, f.n_bytes, i));
    set_field(flow, sf.field, v);
}

}  // namespace mf
