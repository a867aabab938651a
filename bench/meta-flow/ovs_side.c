/* The Open vSwitch side of bench/meta-flow: the same workloads through
 * Debian's Open vSwitch 3.1 library (built from the openvswitch-source
 * package by bench/meta-flow/run), so both run in one process on the same
 * inputs.  Each function runs its loop and returns a checksum so that the
 * work cannot be optimised away. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "dp-packet.h"
#include "flow.h"
#include "nx-match.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "versions.h"

#include "ovs_side.h"

void ovs_side_init(void)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
}

struct ovs_packets {
    struct dp_packet **p;
    size_t n;
};

struct ovs_packets *ovs_packets_new(const uint8_t *const *data, const size_t *len, size_t n)
{
    struct ovs_packets *ps = xmalloc(sizeof *ps);
    ps->p = xmalloc(n * sizeof *ps->p);
    ps->n = n;
    for (size_t i = 0; i < n; i++) {
        ps->p[i] = dp_packet_clone_data(data[i], len[i]);
        pkt_metadata_init(&ps->p[i]->md, u32_to_odp(1));
    }
    return ps;
}

uint64_t ovs_extract(struct ovs_packets *ps, size_t iterations)
{
    uint64_t sum = 0;
    struct flow flow;
    for (size_t it = 0; it < iterations; it++) {
        struct dp_packet *p = ps->p[it % ps->n];
        flow_extract(p, &flow);
        sum += flow.tp_dst + flow.nw_proto;
    }
    return sum;
}

struct ovs_rules {
    struct classifier cls;
    struct match *matches;
    size_t n;
};

/* Parses "match" strings with ovs-ofctl's parser (as flow mods with
 * "actions=drop"); returns NULL on the first error. */
static bool parse_one(const char *s, struct match *match)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *str = xasprintf("%s,actions=drop", s);
    char *error = parse_ofp_str(&fm, OFPFC_ADD, str, NULL, NULL, &usable);
    free(str);
    if (error) {
        free(error);
        return false;
    }
    minimatch_expand(&fm.match, match);
    minimatch_destroy(&fm.match);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    return true;
}

struct ovs_rules *ovs_rules_new(const char *const *strings, const int *priorities, size_t n)
{
    struct ovs_rules *r = xmalloc(sizeof *r);
    classifier_init(&r->cls, NULL);
    r->matches = xmalloc(n * sizeof *r->matches);
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        if (!parse_one(strings[i], &r->matches[i])) {
            return NULL;
        }
        struct cls_rule *rule = xmalloc(sizeof *rule);
        cls_rule_init(rule, &r->matches[i], priorities[i]);
        classifier_insert(&r->cls, rule, OVS_VERSION_MIN, NULL, 0);
    }
    return r;
}

struct ovs_flows {
    struct flow *f;
    size_t n;
};

/* Flows extracted once (as OpenFlow in_port numbers), for lookups. */
struct ovs_flows *ovs_flows_new(struct ovs_packets *ps)
{
    struct ovs_flows *fs = xmalloc(sizeof *fs);
    fs->f = xmalloc(ps->n * sizeof *fs->f);
    fs->n = ps->n;
    for (size_t i = 0; i < ps->n; i++) {
        flow_extract(ps->p[i], &fs->f[i]);
        fs->f[i].in_port.ofp_port = u16_to_ofp(odp_to_u32(fs->f[i].in_port.odp_port));
    }
    return fs;
}

uint64_t ovs_lookup(struct ovs_rules *r, struct ovs_flows *fs, size_t iterations)
{
    uint64_t sum = 0;
    for (size_t it = 0; it < iterations; it++) {
        const struct cls_rule *hit = classifier_lookup(&r->cls, OVS_VERSION_MAX,
                                                       &fs->f[it % fs->n], NULL);
        sum += hit ? (uint64_t) hit->priority : 1;
    }
    return sum;
}

uint64_t ovs_parse(const char *const *strings, size_t n, size_t iterations)
{
    uint64_t sum = 0;
    struct match match;
    for (size_t it = 0; it < iterations; it++) {
        if (parse_one(strings[it % n], &match)) {
            sum += match.flow.tp_dst;
        }
    }
    return sum;
}

uint64_t ovs_format(struct ovs_rules *r, size_t iterations)
{
    uint64_t sum = 0;
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t it = 0; it < iterations; it++) {
        ds_clear(&s);
        match_format(&r->matches[it % r->n], NULL, &s, OFP_DEFAULT_PRIORITY);
        sum += s.length;
    }
    ds_destroy(&s);
    return sum;
}

uint64_t ovs_nxm_encode(struct ovs_rules *r, size_t iterations)
{
    uint64_t sum = 0;
    struct ofpbuf b;
    ofpbuf_init(&b, 256);
    for (size_t it = 0; it < iterations; it++) {
        ofpbuf_clear(&b);
        sum += nx_put_match(&b, &r->matches[it % r->n], 0, 0);
    }
    ofpbuf_uninit(&b);
    return sum;
}
