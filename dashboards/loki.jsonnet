// Loki: what it ingests, how its queries do, and what it discards.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

local latency(quantile, routes) =
  'histogram_quantile(%s, sum by (le) (rate(loki_request_duration_seconds_bucket{route=~"%s"}[$__rate_interval])))'
  % [quantile, routes];

local queryRoutes = 'loki_api_v1_query_range|loki_api_v1_query|loki_api_v1_labels|loki_api_v1_series';
local pushRoutes = 'loki_api_v1_push|otlp_v1_logs';

g.dashboard.new(
  uid='oxidy-loki',
  title='Loki',
  folder='Platform',
  description='Log ingestion, query latency and discarded data.',
  panels=[
    p.row('Ingest'),
    p.stat('Lines/s', [q.prometheusInstant('sum(rate(loki_distributor_lines_received_total[$__rate_interval]))')]),
    p.stat(
      'Bytes/s',
      [q.prometheusInstant('sum(rate(loki_distributor_bytes_received_total[$__rate_interval]))')],
      unit='Bps',
    ),
    p.stat('Active streams', [q.prometheusInstant('sum(loki_ingester_memory_streams)')]),
    p.stat(
      'Discarded lines/s',
      [q.prometheusInstant('sum(rate(loki_discarded_samples_total[$__rate_interval]))')],
      warn=0.1,
      bad=10,
    ),
    p.timeseries(
      'Received bytes by tenant',
      [q.prometheus('sum by (tenant) (rate(loki_distributor_bytes_received_total[$__rate_interval]))', '{{tenant}}')],
      unit='Bps',
    ),
    p.timeseries(
      'Discarded lines by reason',
      [q.prometheus('sum by (reason) (rate(loki_discarded_samples_total[$__rate_interval]))', '{{reason}}')],
      description='Rate limits, too-old samples and oversized lines.',
    ),
    p.row('Requests'),
    p.timeseries(
      'Push latency',
      [
        q.prometheus(latency('0.99', pushRoutes), 'p99'),
        q.prometheus(latency('0.5', pushRoutes), 'p50'),
      ],
      unit='s',
    ),
    p.timeseries(
      'Query latency',
      [
        q.prometheus(latency('0.99', queryRoutes), 'p99'),
        q.prometheus(latency('0.5', queryRoutes), 'p50'),
      ],
      unit='s',
    ),
    p.timeseries(
      'Requests by status',
      [
        q.prometheus(
          'sum by (status_code) (rate(loki_request_duration_seconds_count[$__rate_interval]))',
          '{{status_code}}',
        ),
      ],
      unit='reqps',
      w=24,
    ),
    p.row('Storage'),
    p.timeseries(
      'Chunks flushed to S3',
      [q.prometheus('sum(rate(loki_ingester_chunks_flushed_total[$__rate_interval]))', 'chunks/s')],
    ),
    p.timeseries(
      'S3 request latency (p99)',
      [
        q.prometheus(
          'histogram_quantile(0.99, sum by (le, operation) (rate(loki_s3_request_duration_seconds_bucket[$__rate_interval])))',
          '{{operation}}',
        ),
      ],
      unit='s',
    ),
  ],
)
