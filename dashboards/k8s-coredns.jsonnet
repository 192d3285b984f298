// CoreDNS, the cluster's DNS: queries by type and protocol, answers by response code,
// latency, cache effectiveness, forwarding upstream, and panics.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;
local v = g.variables;

local dns = s.cluster + ', instance=~"$instance"';
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, dns, extra];

k.dashboard(
  uid='oxidy-k8s-coredns',
  title='Kubernetes / CoreDNS',
  description='The cluster DNS: queries by type and protocol, responses by code, latency, cache hits, upstream forwarding and panics.',
  variables=[
    k.vars.datasource,
    k.vars.cluster,
    v.labelValues(
      'instance',
      'instance',
      'coredns_build_info{%s}' % s.cluster,
      title='Instance',
      multi=true,
      includeAll=true,
      datasource=g.datasources.selected,
    ) { current: { text: 'All', value: '$__all' } },
  ],
  panels=[
    p.row('Overview'),
    p.stat('Instances up', [k.instant('count(coredns_build_info{%s})' % dns)], w=4),
    p.stat('Queries/s', [k.instant('sum(%s)' % rate('coredns_dns_requests_total'))], unit='reqps', w=4),
    p.stat(
      'SERVFAIL',
      [k.instant('sum(%s) / sum(%s)' % [rate('coredns_dns_responses_total', ', rcode="SERVFAIL"'), rate('coredns_dns_responses_total')])],
      description='Share of answers that are server failures: usually an upstream resolver that does not answer.',
      unit='percentunit',
      warn=0.01,
      bad=0.05,
      w=4,
    ),
    p.stat(
      'Latency (p99)',
      [k.instant('histogram_quantile(0.99, sum by (le) (%s))' % rate('coredns_dns_request_duration_seconds_bucket'))],
      unit='s',
      warn=0.1,
      bad=0.5,
      w=4,
    ),
    p.stat(
      'Cache hit ratio',
      [
        k.instant(
          'sum(%s) / (sum(%s) + sum(%s))' % [rate('coredns_cache_hits_total'), rate('coredns_cache_hits_total'), rate('coredns_cache_misses_total')]
        ),
      ],
      unit='percentunit',
      w=4,
    ),
    p.stat('Panics', [k.instant('sum(increase(coredns_panics_total{%s}[1h])) or vector(0)' % dns)], bad=1, w=4),
    p.row('Queries'),
    p.timeseries('Queries by type', [k.q('sum by (type) (%s)' % rate('coredns_dns_requests_total'), '{{type}}')], unit='reqps', stack=true),
    p.timeseries(
      'Queries by protocol and family',
      [k.q('sum by (proto, family) (%s)' % rate('coredns_dns_requests_total'), '{{proto}} IPv{{family}}')],
      unit='reqps',
    ),
    p.timeseries('Responses by code', [k.q('sum by (rcode) (%s)' % rate('coredns_dns_responses_total'), '{{rcode}}')], unit='reqps', stack=true),
    p.timeseries(
      'Latency by zone',
      [
        k.q('histogram_quantile(0.99, sum by (zone, le) (%s))' % rate('coredns_dns_request_duration_seconds_bucket'), '{{zone}} p99'),
        k.q('histogram_quantile(0.5, sum by (zone, le) (%s))' % rate('coredns_dns_request_duration_seconds_bucket'), '{{zone}} p50'),
      ],
      unit='s',
    ),
    p.timeseries(
      'Request size (p99)',
      [k.q('histogram_quantile(0.99, sum by (proto, le) (%s))' % rate('coredns_dns_request_size_bytes_bucket'), '{{proto}}')],
      unit='bytes',
    ),
    p.timeseries(
      'Response size (p99)',
      [k.q('histogram_quantile(0.99, sum by (proto, le) (%s))' % rate('coredns_dns_response_size_bytes_bucket'), '{{proto}}')],
      unit='bytes',
    ),
    p.row('Cache and upstream'),
    p.timeseries(
      'Cache hits and misses',
      [
        k.q('sum by (type) (%s)' % rate('coredns_cache_hits_total'), 'hits {{type}}'),
        k.q('sum(%s)' % rate('coredns_cache_misses_total'), 'misses'),
      ],
      unit='reqps',
      w=8,
    ),
    p.timeseries('Cache entries', [k.q('sum by (type) (coredns_cache_entries{%s})' % dns, '{{type}}')], w=8),
    p.timeseries(
      'Forwarded upstream',
      [k.q('sum by (to, rcode) (%s)' % rate('coredns_proxy_request_duration_seconds_count', ', proxy_name="forward"'), '{{to}} {{rcode}}')],
      description='Queries the forward plugin sent to upstream resolvers, by resolver and answer.',
      unit='reqps',
      w=8,
    ),
  ],
)
