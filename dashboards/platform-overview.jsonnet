// The platform at a glance: what comes in per signal, what is lost, and how full the disks are.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

// Collector metrics are named as v0.159.0 exposes them with an explicit reader: no `_total`.
local rate(metric) = 'sum(rate(%s[$__rate_interval]))' % metric;

g.dashboard.new(
  uid='oxidy-platform-overview',
  title='Platform overview',
  folder='Platform',
  description='Telemetry ingest per signal, data lost on the way, and storage use.',
  panels=[
    p.row('Ingest'),
    p.stat('Spans/s', [q.prometheusInstant(rate('otelcol_receiver_accepted_spans'))], unit='short'),
    p.stat('Metric points/s', [q.prometheusInstant(rate('otelcol_receiver_accepted_metric_points'))]),
    p.stat('Log records/s', [q.prometheusInstant(rate('otelcol_receiver_accepted_log_records'))]),
    p.stat(
      'Prometheus series',
      [q.prometheusInstant('sum(prometheus_tsdb_head_series)')],
      description='Active series in the head block.',
    ),
    p.timeseries(
      'Accepted by the collector, per signal',
      [
        q.prometheus(rate('otelcol_receiver_accepted_spans'), 'spans'),
        q.prometheus(rate('otelcol_receiver_accepted_metric_points'), 'metric points'),
        q.prometheus(rate('otelcol_receiver_accepted_log_records'), 'log records'),
      ],
      unit='short',
      w=24,
    ),
    p.row('Errors'),
    p.timeseries(
      'Refused by the collector',
      [
        q.prometheus(rate('otelcol_receiver_refused_spans'), 'spans'),
        q.prometheus(rate('otelcol_receiver_refused_metric_points'), 'metric points'),
        q.prometheus(rate('otelcol_receiver_refused_log_records'), 'log records'),
      ],
      description='Data the receivers turned away, usually because the memory limiter is under pressure.',
    ),
    p.timeseries(
      'Failed to export',
      [
        q.prometheus(rate('otelcol_exporter_send_failed_spans'), 'spans'),
        q.prometheus(rate('otelcol_exporter_send_failed_metric_points'), 'metric points'),
        q.prometheus(rate('otelcol_exporter_send_failed_log_records'), 'log records'),
      ],
      description='Data the collector could not deliver to Tempo, Prometheus or Loki after retries.',
    ),
    p.timeseries(
      'Backend request errors',
      [
        q.prometheus('sum(rate(loki_request_duration_seconds_count{status_code=~"5.."}[$__rate_interval]))', 'Loki'),
        q.prometheus('sum(rate(tempo_request_duration_seconds_count{status_code=~"5.."}[$__rate_interval]))', 'Tempo'),
        q.prometheus('sum(rate(prometheus_http_requests_total{code=~"5.."}[$__rate_interval]))', 'Prometheus'),
        q.prometheus('sum(rate(api_s3_error_counter[$__rate_interval]))', 'Garage S3'),
      ],
      unit='reqps',
      w=24,
    ),
    p.row('Storage'),
    p.timeseries(
      'Garage disk used',
      [
        q.prometheus(
          '1 - max by (instance, volume) (garage_local_disk_avail / garage_local_disk_total)',
          '{{instance}} {{volume}}',
        ),
      ],
      description='Loki chunks and Tempo blocks live in Garage: when its disks fill, both stop writing.',
      unit='percentunit',
      min=0,
    ),
    p.timeseries(
      'Prometheus TSDB size',
      [
        q.prometheus('sum(prometheus_tsdb_storage_blocks_bytes)', 'blocks'),
        q.prometheus('sum(prometheus_tsdb_wal_storage_size_bytes)', 'WAL'),
      ],
      unit='bytes',
      min=0,
    ),
  ],
)
