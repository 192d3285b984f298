// Prometheus: series and samples, remote-write requests from the collector, scrapes and
// their limits, rules, alert notifications, configuration reloads, and the TSDB.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local c = s.cluster;
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, c, extra];
local sumRate(metric, extra='') = 'sum(%s)' % rate(metric, extra);

g.dashboard.new(
  uid='oxidy-prometheus',
  title='Prometheus',
  folder='Platform',
  description='Head series and samples, remote-write requests from the collector, scrapes and their limits, rules, notifications, reloads and the TSDB.',
  variables=[k.vars.datasource, k.vars.cluster],
  panels=[
    p.row('Ingest'),
    p.stat('Head series', [k.instant('sum(prometheus_tsdb_head_series{%s})' % c)]),
    p.stat('Samples/s', [k.instant(sumRate('prometheus_tsdb_head_samples_appended_total'))]),
    p.stat('Targets down', [k.instant('count(up{%s} == 0) or vector(0)' % c)], warn=1),
    p.stat('Rule failures/s', [k.instant(sumRate('prometheus_rule_evaluation_failures_total'))], warn=0.01),
    p.timeseries(
      'Samples appended',
      [k.q('sum by (type) (%s)' % rate('prometheus_tsdb_head_samples_appended_total'), '{{type}}')],
    ),
    p.timeseries(
      'Remote-write requests',
      [k.q('sum by (code) (%s)' % rate('prometheus_http_requests_total', ', handler="/api/v1/write"'), '{{code}}')],
      description='Writes from the collector, by HTTP status.',
      unit='reqps',
    ),
    p.row('Scrapes and rules'),
    p.timeseries('Targets up by job', [k.q('sum by (job) (up{%s})' % c, '{{job}}')]),
    p.timeseries(
      'Rule group duration',
      [k.q('max by (rule_group) (prometheus_rule_group_last_duration_seconds{%s})' % c, '{{rule_group}}')],
      unit='s',
    ),
    p.timeseries(
      'Scrapes over their limits',
      [
        k.q(sumRate('prometheus_target_scrapes_exceeded_sample_limit_total'), 'sample limit'),
        k.q(sumRate('prometheus_target_scrapes_exceeded_body_size_limit_total'), 'body size limit'),
        k.q(sumRate('prometheus_target_scrape_pool_exceeded_target_limit_total'), 'target limit'),
        k.q(sumRate('prometheus_target_scrapes_sample_out_of_order_total'), 'out of order'),
      ],
      description='Scrapes rejected whole, or samples dropped, because a target broke a limit.',
      unit='ops',
    ),
    p.timeseries(
      'Scrape interval deviation (p99)',
      [
        k.q(
          'max by (interval) (prometheus_target_interval_length_seconds{%s, quantile="0.99"}) - on (interval) group_left () max by (interval) (prometheus_target_interval_length_seconds{%s, quantile="0.5"})'
          % [c, c],
          '{{interval}}',
        ),
      ],
      description='How much later than planned the slowest scrapes run: Prometheus cannot keep up when it grows.',
      unit='s',
    ),
    p.timeseries(
      'Rule group iterations missed',
      [k.q('sum by (rule_group) (%s) > 0' % rate('prometheus_rule_group_iterations_missed_total'), '{{rule_group}}')],
      description='A group missed its interval because its evaluation took longer.',
      unit='ops',
    ),
    p.timeseries(
      'Discovered targets',
      [k.q('sum by (config) (prometheus_sd_discovered_targets{%s})' % c, '{{config}}')],
    ),
    p.row('Alerts and configuration'),
    p.timeseries(
      'Notifications to Alertmanager',
      [
        k.q(sumRate('prometheus_notifications_sent_total'), 'sent'),
        k.q(sumRate('prometheus_notifications_errors_total'), 'errors'),
        k.q(sumRate('prometheus_notifications_dropped_total'), 'dropped'),
      ],
      unit='ops',
      w=8,
    ),
    p.timeseries(
      'Notification queue',
      [
        k.q('max(prometheus_notifications_queue_length{%s})' % c, 'length'),
        k.q('max(prometheus_notifications_queue_capacity{%s})' % c, 'capacity'),
      ],
      w=8,
    ),
    p.timeseries(
      'Configuration reloaded',
      [k.q('min by (pod) (prometheus_config_last_reload_successful{%s})' % c, '{{pod}}')],
      description='1 when the last configuration loaded; 0 when Prometheus refused it and runs the one before.',
      min=0,
      max=1,
      w=8,
    ),
    p.row('Remote write out'),
    p.timeseries(
      'Samples sent',
      [
        k.q('sum by (remote_name) (%s)' % rate('prometheus_remote_storage_samples_total'), '{{remote_name}} sent'),
        k.q('sum by (remote_name) (%s)' % rate('prometheus_remote_storage_samples_failed_total'), '{{remote_name}} failed'),
        k.q('sum by (remote_name) (%s)' % rate('prometheus_remote_storage_samples_retried_total'), '{{remote_name}} retried'),
      ],
      description='Only when this Prometheus writes to another store.',
      unit='ops',
    ),
    p.timeseries(
      'Remote write delay',
      [
        k.q(
          'max by (remote_name) (prometheus_remote_storage_highest_timestamp_in_seconds{%s} - on (env, namespace, pod) group_right () prometheus_remote_storage_queue_highest_sent_timestamp_seconds{%s})'
          % [c, c],
          '{{remote_name}}',
        ),
      ],
      description='How far the newest sample sent lags behind the newest sample stored.',
      unit='s',
    ),
    p.row('Storage'),
    p.timeseries(
      'Block and WAL size',
      [
        k.q('sum(prometheus_tsdb_storage_blocks_bytes{%s})' % c, 'blocks'),
        k.q('sum(prometheus_tsdb_wal_storage_size_bytes{%s})' % c, 'WAL'),
      ],
      unit='bytes',
      min=0,
    ),
    p.timeseries(
      'Query latency (p90)',
      [k.q('max by (slice) (prometheus_engine_query_duration_seconds{%s, quantile="0.9"})' % c, '{{slice}}')],
      unit='s',
    ),
    p.timeseries(
      'TSDB failures',
      [
        k.q('sum(increase(prometheus_tsdb_compactions_failed_total{%s}[$__rate_interval]))' % c, 'compactions'),
        k.q('sum(increase(prometheus_tsdb_head_truncations_failed_total{%s}[$__rate_interval]))' % c, 'head truncations'),
        k.q('sum(increase(prometheus_tsdb_reloads_failures_total{%s}[$__rate_interval]))' % c, 'block reloads'),
        k.q('sum(increase(prometheus_tsdb_wal_corruptions_total{%s}[$__rate_interval]))' % c, 'WAL corruptions'),
      ],
      description='Any of these above zero needs attention: the TSDB is not maintaining itself.',
    ),
    p.timeseries(
      'Head chunks',
      [k.q('sum(prometheus_tsdb_head_chunks{%s})' % c, 'chunks')],
    ),
  ],
)
