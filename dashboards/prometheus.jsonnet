// Prometheus: series and samples, remote-write ingest, scrapes, rules and storage.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

g.dashboard.new(
  uid='oxidy-prometheus',
  title='Prometheus',
  folder='Platform',
  description='Head series and samples, remote-write requests from the collector, scrape targets, rules and the TSDB.',
  panels=[
    p.row('Ingest'),
    p.stat('Head series', [q.prometheusInstant('sum(prometheus_tsdb_head_series)')]),
    p.stat(
      'Samples/s',
      [q.prometheusInstant('sum(rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval]))')],
    ),
    p.stat(
      'Targets down',
      [q.prometheusInstant('count(up == 0) or vector(0)')],
      warn=1,
    ),
    p.stat(
      'Rule failures/s',
      [q.prometheusInstant('sum(rate(prometheus_rule_evaluation_failures_total[$__rate_interval]))')],
      warn=0.01,
    ),
    p.timeseries(
      'Samples appended',
      [q.prometheus('sum by (type) (rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval]))', '{{type}}')],
    ),
    p.timeseries(
      'Remote-write requests',
      [
        q.prometheus(
          'sum by (code) (rate(prometheus_http_requests_total{handler="/api/v1/write"}[$__rate_interval]))',
          '{{code}}',
        ),
      ],
      description='Writes from the collector, by HTTP status.',
      unit='reqps',
    ),
    p.row('Scrapes and rules'),
    p.timeseries(
      'Targets up by job',
      [q.prometheus('sum by (job) (up)', '{{job}}')],
    ),
    p.timeseries(
      'Rule group duration',
      [q.prometheus('max by (rule_group) (prometheus_rule_group_last_duration_seconds)', '{{rule_group}}')],
      unit='s',
    ),
    p.row('Storage'),
    p.timeseries(
      'Block and WAL size',
      [
        q.prometheus('sum(prometheus_tsdb_storage_blocks_bytes)', 'blocks'),
        q.prometheus('sum(prometheus_tsdb_wal_storage_size_bytes)', 'WAL'),
      ],
      unit='bytes',
      min=0,
    ),
    p.timeseries(
      'Query latency (p90)',
      [
        q.prometheus(
          'max by (slice) (prometheus_engine_query_duration_seconds{quantile="0.9"})',
          '{{slice}}',
        ),
      ],
      unit='s',
    ),
  ],
)
