/* Interface between bench/meta-flow's C++ driver and ovs_side.c. */
#ifndef METAFLOW_BENCH_OVS_SIDE_H
#define METAFLOW_BENCH_OVS_SIDE_H 1

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovs_packets;
struct ovs_rules;

void ovs_side_init(void);
struct ovs_packets *ovs_packets_new(const uint8_t *const *data, const size_t *len, size_t n);
uint64_t ovs_extract(struct ovs_packets *, size_t iterations);
struct ovs_rules *ovs_rules_new(const char *const *strings, const int *priorities, size_t n);
struct ovs_flows;
struct ovs_flows *ovs_flows_new(struct ovs_packets *);
uint64_t ovs_lookup(struct ovs_rules *, struct ovs_flows *, size_t iterations);
uint64_t ovs_parse(const char *const *strings, size_t n, size_t iterations);
uint64_t ovs_format(struct ovs_rules *, size_t iterations);
uint64_t ovs_nxm_encode(struct ovs_rules *, size_t iterations);

#ifdef __cplusplus
}
#endif

#endif
