// One service's rate, errors and duration, from the span metrics Tempo derives from its
// traces, with its logs and traces beside them. Exemplars on the latency panel open the
// trace behind a point.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;
local v = g.variables;

local calls = 'traces_spanmetrics_calls_total{service="$service", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}';
local errors =
  'traces_spanmetrics_calls_total{service="$service", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER", status_code="STATUS_CODE_ERROR"}';
local latency(quantile) =
  'histogram_quantile(%s, sum by (le) (rate(traces_spanmetrics_latency_bucket{service="$service", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}[$__rate_interval])))'
  % quantile;

g.dashboard.new(
  uid='oxidy-service-red',
  title='Service RED',
  folder='Services',
  description='Rate, errors and duration of a service from Tempo span metrics, with its logs and traces.',
  tags=['red'],
  variables=[v.labelValues('service', 'service', 'traces_spanmetrics_calls_total', title='Service')],
  panels=[
    p.row('RED'),
    p.stat('Requests/s', [q.prometheusInstant('sum(rate(%s[$__rate_interval]))' % calls)], unit='reqps', w=8),
    p.stat(
      'Error ratio',
      [q.prometheusInstant('sum(rate(%s[$__rate_interval])) / sum(rate(%s[$__rate_interval]))' % [errors, calls])],
      unit='percentunit',
      warn=0.01,
      bad=0.05,
      w=8,
    ),
    p.stat('p99 latency', [q.prometheusInstant(latency('0.99'))], unit='s', w=8),
    p.timeseries(
      'Rate by operation',
      [
        q.prometheus(
          'sum by (span_name) (rate(traces_spanmetrics_calls_total{service="$service", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}[$__rate_interval]))',
          '{{span_name}}',
        ),
      ],
      unit='reqps',
      w=8,
    ),
    p.timeseries(
      'Errors by operation',
      [
        q.prometheus(
          'sum by (span_name) (rate(traces_spanmetrics_calls_total{service="$service", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER", status_code="STATUS_CODE_ERROR"}[$__rate_interval]))',
          '{{span_name}}',
        ),
      ],
      unit='reqps',
      w=8,
    ),
    p.timeseries(
      'Duration',
      [
        q.prometheus(latency('0.99'), 'p99', exemplars=true),
        q.prometheus(latency('0.9'), 'p90'),
        q.prometheus(latency('0.5'), 'p50'),
      ],
      description='Exemplar points link to the trace of that request.',
      unit='s',
      w=8,
    ),
    p.timeseries(
      'Calls to other services',
      [
        q.prometheus(
          'sum by (server) (rate(traces_service_graph_request_total{client="$service"}[$__rate_interval]))',
          '{{server}}',
        ),
      ],
      description='From the service graph Tempo derives from client and server spans.',
      unit='reqps',
      w=24,
    ),
    p.row('Traces and logs'),
    p.traces(
      'Recent traces',
      q.tempoSearch('{resource.service.name="$service" && kind=server} | select(span.http.route)'),
      description='Open a trace to see its spans; its logs are one click away.',
    ),
    p.traces(
      'Recent errors',
      q.tempoSearch('{resource.service.name="$service" && status=error}'),
    ),
    p.logs('Logs', q.loki('{service_name="$service"}')),
  ],
)
