// Alertmanager: alerts received and active, notifications sent and failed per integration,
// their latency, silences, the HA cluster and config reloads.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local am = s.cluster;
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, am, extra];

g.dashboard.new(
  uid='oxidy-alertmanager',
  title='Alertmanager',
  folder='Platform',
  description='Alerts received and active, notifications sent and failed per integration, latency, silences, cluster members and config reloads.',
  variables=[k.vars.datasource, k.vars.cluster],
  panels=[
    p.row('Overview'),
    p.stat(
      'Active alerts',
      [k.instant('max by (pod) (alertmanager_alerts{%s, state="active"})' % am, '{{pod}}')],
      description='Per replica; the replicas of a healthy cluster agree.',
      w=4,
    ),
    p.stat('Suppressed alerts', [k.instant('max(alertmanager_alerts{%s, state="suppressed"})' % am)], w=4),
    p.stat('Active silences', [k.instant('max(alertmanager_silences{%s, state="active"})' % am)], w=4),
    p.stat(
      'Notifications failing',
      [k.instant('sum(%s) or vector(0)' % rate('alertmanager_notifications_failed_total'))],
      unit='ops',
      bad=0.001,
      w=4,
    ),
    p.stat(
      'Cluster members',
      [k.instant('min(alertmanager_cluster_members{%s})' % am)],
      description='The smallest member count any replica sees: less than the replica count means a split cluster.',
      w=4,
    ),
    p.stat(
      'Config reloaded',
      [k.instant('min(alertmanager_config_last_reload_successful{%s})' % am)],
      description='1 when every replica loaded its last configuration; 0 when one refused it.',
      w=4,
    ),
    p.row('Alerts'),
    p.timeseries('Alerts by state', [k.q('max by (state) (alertmanager_alerts{%s})' % am, '{{state}}')]),
    p.timeseries(
      'Alerts received',
      [
        k.q('sum by (status) (%s)' % rate('alertmanager_alerts_received_total'), '{{status}}'),
        k.q('sum(%s)' % rate('alertmanager_alerts_invalid_total'), 'invalid'),
      ],
      unit='ops',
    ),
    p.row('Notifications'),
    p.timeseries(
      'Notifications by integration',
      [k.q('sum by (integration) (%s)' % rate('alertmanager_notifications_total'), '{{integration}}')],
      unit='ops',
      w=8,
    ),
    p.timeseries(
      'Failed notifications',
      [k.q('sum by (integration, reason) (%s)' % rate('alertmanager_notifications_failed_total'), '{{integration}} {{reason}}')],
      unit='ops',
      w=8,
    ),
    p.timeseries(
      'Notification latency (p99)',
      [
        k.q(
          'histogram_quantile(0.99, sum by (integration, le) (%s))' % rate('alertmanager_notification_latency_seconds_bucket'),
          '{{integration}}',
        ),
      ],
      unit='s',
      w=8,
    ),
    p.row('Cluster'),
    p.timeseries('Members seen by each replica', [k.q('alertmanager_cluster_members{%s}' % am, '{{pod}}')]),
    p.timeseries(
      'Gossip messages',
      [
        k.q('sum by (msg_type) (%s)' % rate('alertmanager_cluster_messages_received_total'), 'received {{msg_type}}'),
        k.q('sum by (msg_type) (%s)' % rate('alertmanager_cluster_messages_sent_total'), 'sent {{msg_type}}'),
      ],
      unit='ops',
    ),
  ],
)
