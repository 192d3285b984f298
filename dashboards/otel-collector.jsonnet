// The OpenTelemetry Collector's pipelines: accepted, refused and failed per signal, and the
// sending queues between the collector and the backends.
local g = import 'grafana.libsonnet';
local p = g.panels;
local q = g.queries;

local signals = [
  { title: 'Traces', unit: 'spans', name: 'spans' },
  { title: 'Metrics', unit: 'metric points', name: 'metric_points' },
  { title: 'Logs', unit: 'log records', name: 'log_records' },
];

// The collector's own metric names at v0.159.0. Its Prometheus reader is configured
// explicitly (service.telemetry.metrics.readers), which turns off type and unit suffixes:
// counters have no `_total` and byte gauges no `_bytes`.
local byReceiver(metric) = 'sum by (receiver) (rate(otelcol_receiver_%s[$__rate_interval]))' % metric;
local byExporter(metric) = 'sum by (exporter) (rate(otelcol_exporter_%s[$__rate_interval]))' % metric;

local signalRow(s) = [
  p.row(s.title),
  p.timeseries(
    'Accepted and refused %s' % s.unit,
    [
      q.prometheus(byReceiver('accepted_' + s.name), 'accepted {{receiver}}'),
      q.prometheus(byReceiver('refused_' + s.name), 'refused {{receiver}}'),
    ],
    unit='short',
    w=8,
  ),
  p.timeseries(
    'Sent %s' % s.unit,
    [q.prometheus(byExporter('sent_' + s.name), '{{exporter}}')],
    unit='short',
    w=8,
  ),
  p.timeseries(
    'Failed to send %s' % s.unit,
    [q.prometheus(byExporter('send_failed_' + s.name), '{{exporter}}')],
    description='Dropped after the exporter gave up retrying.',
    unit='short',
    w=8,
  ),
];

g.dashboard.new(
  uid='oxidy-otel-collector',
  title='OpenTelemetry Collector',
  folder='Platform',
  description='Per-signal pipeline health of the collector, from its own telemetry on port 8888.',
  panels=
    std.flattenArrays([signalRow(s) for s in signals])
    + [
      p.row('Queues and resources'),
      p.timeseries(
        'Sending queue fill',
        [
          q.prometheus(
            'max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)',
            '{{exporter}}',
          ),
        ],
        description='A queue that stays full means a backend cannot keep up; data is refused when it is.',
        unit='percentunit',
        min=0,
      ),
      p.timeseries(
        'Queue size',
        [
          q.prometheus('max by (exporter) (otelcol_exporter_queue_size)', 'size {{exporter}}'),
          q.prometheus('max by (exporter) (otelcol_exporter_queue_capacity)', 'capacity {{exporter}}'),
        ],
      ),
      p.timeseries(
        'Memory',
        [q.prometheus('max by (pod) (otelcol_process_memory_rss)', '{{pod}}')],
        unit='bytes',
        min=0,
      ),
      p.timeseries(
        'CPU',
        [q.prometheus('max by (pod) (rate(otelcol_process_cpu_seconds[$__rate_interval]))', '{{pod}}')],
        unit='short',
        min=0,
      ),
    ],
)
