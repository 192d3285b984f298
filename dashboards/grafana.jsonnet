// Grafana itself: HTTP requests and their latency, queries to each datasource, users and
// dashboards, and the process.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local gf = s.cluster;
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, gf, extra];
// Process metrics of the Grafana targets: those that also report grafana_build_info.
local own(expr) = '%s and on (env, instance) grafana_build_info{%s}' % [expr, gf];

g.dashboard.new(
  uid='oxidy-grafana',
  title='Grafana',
  folder='Platform',
  description='HTTP requests, errors and latency, datasource queries, users and dashboards, and process resources of Grafana.',
  variables=[k.vars.datasource, k.vars.cluster],
  panels=[
    p.row('Overview'),
    p.stat('Instances up', [k.instant('count(grafana_build_info{%s})' % gf)], w=4),
    p.stat('Requests/s', [k.instant('sum(%s)' % rate('grafana_http_request_duration_seconds_count'))], unit='reqps', w=4),
    p.stat(
      'Server errors',
      [
        k.instant(
          'sum(%s) / sum(%s)' % [
            rate('grafana_http_request_duration_seconds_count', ', status_code=~"5.."'),
            rate('grafana_http_request_duration_seconds_count'),
          ]
        ),
      ],
      unit='percentunit',
      warn=0.01,
      bad=0.05,
      w=4,
    ),
    p.stat('Dashboards', [k.instant('max(grafana_stat_totals_dashboard{%s})' % gf)], w=4),
    p.stat('Users', [k.instant('max(grafana_stat_total_users{%s})' % gf)], w=4),
    p.stat('Active users', [k.instant('max(grafana_stat_active_users{%s})' % gf)], w=4),
    p.row('HTTP'),
    p.timeseries(
      'Requests by status',
      [k.q('sum by (status_code) (%s)' % rate('grafana_http_request_duration_seconds_count'), '{{status_code}}')],
      unit='reqps',
      stack=true,
    ),
    p.timeseries(
      'Latency (p99) of the slowest handlers',
      [
        k.q(
          'topk(5, histogram_quantile(0.99, sum by (handler, le) (%s)))' % rate('grafana_http_request_duration_seconds_bucket'),
          '{{handler}}',
        ),
      ],
      unit='s',
    ),
    p.row('Datasources'),
    p.timeseries(
      'Queries by datasource',
      [k.q('sum by (datasource, code) (%s)' % rate('grafana_datasource_request_total'), '{{datasource}} {{code}}')],
      unit='reqps',
    ),
    p.timeseries(
      'Query latency by datasource (p99)',
      [
        k.q(
          'histogram_quantile(0.99, sum by (datasource, le) (%s))' % rate('grafana_datasource_request_duration_seconds_bucket'),
          '{{datasource}}',
        ),
      ],
      unit='s',
    ),
    p.row('Process'),
    p.timeseries('Memory', [k.q(own('process_resident_memory_bytes{%s}' % gf), '{{pod}}')], unit='bytes', w=8),
    p.timeseries('CPU', [k.q(own(rate('process_cpu_seconds_total')), '{{pod}}')], w=8),
    p.timeseries('Goroutines', [k.q(own('go_goroutines{%s}' % gf), '{{pod}}')], w=8),
  ],
)
