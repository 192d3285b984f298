// Tempo: spans in, span metrics out, and query and storage health.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

local latency(quantile, route) =
  'histogram_quantile(%s, sum by (le) (rate(tempo_request_duration_seconds_bucket{route=~"%s"}[$__rate_interval])))'
  % [quantile, route];

g.dashboard.new(
  uid='oxidy-tempo',
  title='Tempo',
  folder='Platform',
  description='Trace ingestion, the metrics generator, queries and the S3 backend.',
  panels=[
    p.row('Ingest'),
    p.stat('Spans/s', [q.prometheusInstant('sum(rate(tempo_distributor_spans_received_total[$__rate_interval]))')]),
    p.stat(
      'Bytes/s',
      [q.prometheusInstant('sum(rate(tempo_distributor_bytes_received_total[$__rate_interval]))')],
      unit='Bps',
    ),
    p.stat('Live traces', [q.prometheusInstant('sum(tempo_ingester_live_traces)')]),
    p.stat(
      'Discarded spans/s',
      [q.prometheusInstant('sum(rate(tempo_discarded_spans_total[$__rate_interval]))')],
      warn=0.1,
      bad=10,
    ),
    p.timeseries(
      'Spans received',
      [q.prometheus('sum by (tenant) (rate(tempo_distributor_spans_received_total[$__rate_interval]))', '{{tenant}}')],
    ),
    p.timeseries(
      'Discarded spans by reason',
      [q.prometheus('sum by (reason) (rate(tempo_discarded_spans_total[$__rate_interval]))', '{{reason}}')],
    ),
    p.row('Metrics generator'),
    p.timeseries(
      'Spans processed by the generator',
      [
        q.prometheus(
          'sum(rate(tempo_metrics_generator_spans_received_total[$__rate_interval]))',
          'received',
        ),
        q.prometheus(
          'sum(rate(tempo_metrics_generator_spans_discarded_total[$__rate_interval]))',
          'discarded',
        ),
      ],
      description='Span metrics and the service graph are derived from these.',
    ),
    p.timeseries(
      'Span-metric series',
      [q.prometheus('sum(tempo_metrics_generator_registry_active_series)', 'active series')],
    ),
    p.row('Queries and storage'),
    p.timeseries(
      'Query latency',
      [
        q.prometheus(latency('0.99', 'api_search.*|api_traces.*|querier_api.*'), 'p99'),
        q.prometheus(latency('0.5', 'api_search.*|api_traces.*|querier_api.*'), 'p50'),
      ],
      unit='s',
    ),
    p.timeseries(
      'Backend request latency (p99)',
      [
        q.prometheus(
          'histogram_quantile(0.99, sum by (le, operation) (rate(tempodb_backend_request_duration_seconds_bucket[$__rate_interval])))',
          '{{operation}}',
        ),
      ],
      unit='s',
    ),
    p.timeseries(
      'Blocks in the backend',
      [q.prometheus('sum by (tenant) (tempodb_blocklist_length)', '{{tenant}}')],
    ),
    p.timeseries(
      'Compaction errors',
      [q.prometheus('sum(rate(tempodb_compaction_errors_total[$__rate_interval]))', 'errors/s')],
    ),
  ],
)
