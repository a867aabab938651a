#include "meta-flow/flow.hpp"

#include <cstring>

namespace mf {

namespace {

inline uint64_t word(const Flow& f, size_t i)
{
    uint64_t w;
    std::memcpy(&w, f.bytes() + 8 * i, 8);
    return w;
}

inline uint64_t mix(uint64_t h, uint64_t w)
{
    // A multiply-xorshift step (64-bit); good enough spread for hash tables.
    h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

}  // namespace

void flow_and(Flow& dst, const Flow& mask)
{
    for (size_t i = 0; i < kFlowWords; ++i) {
        const uint64_t w = word(dst, i) & word(mask, i);
        std::memcpy(dst.bytes() + 8 * i, &w, 8);
    }
}

bool flow_equal_masked(const Flow& a, const Flow& b, const Flow& mask)
{
    uint64_t diff = 0;
    for (size_t i = 0; i < kFlowWords; ++i)
        diff |= (word(a, i) ^ word(b, i)) & word(mask, i);
    return diff == 0;
}

bool flow_is_zero(const Flow& f)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < kFlowWords; ++i)
        acc |= word(f, i);
    return acc == 0;
}

uint64_t flow_hash_masked(const Flow& f, const Flow& mask, uint64_t basis)
{
    uint64_t h = basis;
    for (size_t i = 0; i < kFlowWords; ++i)
        h = mix(h, word(f, i) & word(mask, i));
    return h;
}

uint64_t flow_hash(const Flow& f, uint64_t basis)
{
    uint64_t h = basis;
    for (size_t i = 0; i < kFlowWords; ++i)
        h = mix(h, word(f, i));
    return h;
}

}  // namespace mf
