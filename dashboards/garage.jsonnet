// Garage: cluster health, S3 traffic and errors, and disk space per node.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

g.dashboard.new(
  uid='oxidy-garage',
  title='Garage',
  folder='Platform',
  description='The S3 store behind Loki and Tempo.',
  panels=[
    p.row('Cluster'),
    p.stat('Healthy', [q.prometheusInstant('min(cluster_healthy)')], description='1 when every partition has quorum.'),
    p.stat('Connected nodes', [q.prometheusInstant('max(cluster_connected_nodes)')]),
    p.stat('Known nodes', [q.prometheusInstant('max(cluster_known_nodes)')]),
    p.stat(
      'Resync queue',
      [q.prometheusInstant('sum(block_resync_queue_length)')],
      description='Blocks waiting to be copied between nodes.',
      warn=100,
      bad=10000,
    ),
    p.row('S3 API'),
    p.timeseries(
      'Requests by endpoint',
      [q.prometheus('sum by (api_endpoint) (rate(api_s3_request_counter[$__rate_interval]))', '{{api_endpoint}}')],
      unit='reqps',
    ),
    p.timeseries(
      'Errors by endpoint',
      [q.prometheus('sum by (api_endpoint) (rate(api_s3_error_counter[$__rate_interval]))', '{{api_endpoint}}')],
      unit='reqps',
    ),
    p.timeseries(
      'Request latency (p99)',
      [
        q.prometheus(
          'histogram_quantile(0.99, sum by (le, api_endpoint) (rate(api_s3_request_duration_bucket[$__rate_interval])))',
          '{{api_endpoint}}',
        ),
      ],
      unit='s',
    ),
    p.timeseries(
      'Block throughput',
      [
        q.prometheus('sum(rate(block_bytes_written[$__rate_interval]))', 'written'),
        q.prometheus('sum(rate(block_bytes_read[$__rate_interval]))', 'read'),
      ],
      unit='Bps',
    ),
    p.row('Disks'),
    p.timeseries(
      'Disk used',
      [
        q.prometheus(
          '1 - max by (instance, volume) (garage_local_disk_avail / garage_local_disk_total)',
          '{{instance}} {{volume}}',
        ),
      ],
      unit='percentunit',
      min=0,
      w=24,
    ),
  ],
)
