// The Kubernetes API server: availability and latency of reads and writes, what it serves,
// priority-and-fairness rejections, etcd, webhooks, and its own resources.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;
local v = g.variables;

local api = s.cluster + ', instance=~"$instance"';
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, api, extra];
local reads = ', verb=~"LIST|GET"';
local writes = ', verb=~"POST|PUT|PATCH|DELETE"';
// Long-running requests (watches, exec, logs) take as long as the client wants.
local timed = ', verb!~"WATCH|CONNECT", subresource!~"log|exec|portforward|attach|proxy"';
local errorRatio(verbs) =
  'sum(%s) / sum(%s)' % [rate('apiserver_request_total', verbs + ', code=~"5.."'), rate('apiserver_request_total', verbs)];
local p99(by, extra) =
  'histogram_quantile(0.99, sum by (%s, le) (%s))' % [by, rate('apiserver_request_duration_seconds_bucket', timed + extra)];

k.dashboard(
  uid='oxidy-k8s-apiserver',
  title='Kubernetes / API server',
  description='API server availability and latency of reads and writes, request mix, priority-and-fairness rejections, etcd, admission webhooks and process resources.',
  variables=[
    k.vars.datasource,
    k.vars.cluster,
    v.labelValues(
      'instance',
      'instance',
      'apiserver_request_total{%s}' % s.cluster,
      title='Instance',
      multi=true,
      includeAll=true,
      datasource=g.datasources.selected,
    ) { current: { text: 'All', value: '$__all' } },
  ],
  panels=[
    p.row('Availability'),
    p.stat('Instances up', [k.instant('count(sum by (instance) (%s))' % rate('apiserver_request_total'))], w=4),
    p.stat('Read errors', [k.instant(errorRatio(reads))], unit='percentunit', warn=0.001, bad=0.01, w=4),
    p.stat('Write errors', [k.instant(errorRatio(writes))], unit='percentunit', warn=0.001, bad=0.01, w=4),
    p.stat('Read latency (p99)', [k.instant(p99('verb', reads) + ' > 0 or vector(0)')], unit='s', warn=1, bad=5, w=4),
    p.stat('Write latency (p99)', [k.instant(p99('verb', writes) + ' > 0 or vector(0)')], unit='s', warn=1, bad=5, w=4),
    p.stat(
      'Unavailable API services',
      [k.instant('sum(max by (name) (aggregator_unavailable_apiservice{%s})) or vector(0)' % api)],
      description='Aggregated APIs (such as metrics.k8s.io) the API server cannot reach.',
      bad=1,
      w=4,
    ),
    p.row('Reads'),
    p.timeseries('Read requests by code', [k.q('sum by (code) (%s)' % rate('apiserver_request_total', reads), '{{code}}')], unit='reqps', w=8),
    p.timeseries('Read error ratio', [k.q(errorRatio(reads), '5xx')], unit='percentunit', w=8),
    p.timeseries('Read latency by resource (p99)', [k.q(p99('resource', reads), '{{resource}}')], unit='s', w=8),
    p.row('Writes'),
    p.timeseries('Write requests by code', [k.q('sum by (code) (%s)' % rate('apiserver_request_total', writes), '{{code}}')], unit='reqps', w=8),
    p.timeseries('Write error ratio', [k.q(errorRatio(writes), '5xx')], unit='percentunit', w=8),
    p.timeseries('Write latency by resource (p99)', [k.q(p99('resource', writes), '{{resource}}')], unit='s', w=8),
    p.row('Load'),
    p.timeseries(
      'Requests by verb',
      [k.q('sum by (verb) (%s)' % rate('apiserver_request_total'), '{{verb}}')],
      unit='reqps',
    ),
    p.timeseries(
      'In-flight requests',
      [k.q('sum by (request_kind) (apiserver_current_inflight_requests{%s})' % api, '{{request_kind}}')],
    ),
    p.timeseries(
      'Rejected by priority and fairness',
      [k.q('sum by (priority_level, reason) (%s)' % rate('apiserver_flowcontrol_rejected_requests_total'), '{{priority_level}} {{reason}}')],
      description='Requests the API server refused (HTTP 429) to protect itself.',
      unit='reqps',
    ),
    p.timeseries(
      'Client errors by code',
      [k.q('sum by (code) (%s)' % rate('apiserver_request_total', ', code=~"4.."'), '{{code}}')],
      description='Requests refused for the client: 401/403 often mean a misconfigured service account.',
      unit='reqps',
    ),
    p.row('Storage and admission'),
    p.timeseries(
      'etcd request duration (p99)',
      [k.q('histogram_quantile(0.99, sum by (operation, le) (%s))' % rate('etcd_request_duration_seconds_bucket'), '{{operation}}')],
      unit='s',
    ),
    p.timeseries(
      'Objects stored (top 10)',
      [k.q('topk(10, max by (resource) (apiserver_storage_objects{%s}))' % api, '{{resource}}')],
    ),
    p.timeseries(
      'Admission webhook duration (p99)',
      [
        k.q(
          'histogram_quantile(0.99, sum by (name, le) (%s))' % rate('apiserver_admission_webhook_admission_duration_seconds_bucket'),
          '{{name}}',
        ),
      ],
      unit='s',
    ),
    p.timeseries(
      'Work queue depth',
      [k.q('topk(10, sum by (name) (workqueue_depth{%s}))' % api, '{{name}}')],
    ),
    p.row('Process'),
    p.timeseries('Memory', [k.q('process_resident_memory_bytes{%s} and on (instance) apiserver_current_inflight_requests' % api, '{{instance}}')], unit='bytes', w=8),
    p.timeseries('CPU', [k.q('%s and on (instance) apiserver_current_inflight_requests' % rate('process_cpu_seconds_total'), '{{instance}}')], w=8),
    p.timeseries('Goroutines', [k.q('go_goroutines{%s} and on (instance) apiserver_current_inflight_requests' % api, '{{instance}}')], w=8),
  ],
)
