// One namespace, pod by pod: CPU, memory, restarts and the requests and limits behind them.
// Pods link to the pod dashboard.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local containers = s.containers + ', namespace=~"$namespace"';
local cpu = 'rate(container_cpu_usage_seconds_total{%s}[$__rate_interval])' % containers;
local memory = 'container_memory_working_set_bytes{%s}' % containers;
local ksm(metric, extra='') = '%s{%s%s}' % [metric, s.namespace, extra];
local podLink = [k.links.pod('$namespace', '${__field.labels.pod}')];

local podTable(title, resource, usage, unit) = p.table(
  title,
  [
    k.table('sum by (pod) (%s)' % usage),
    k.table('sum by (pod) (%s)' % k.active(ksm('kube_pod_container_resource_requests', ', resource="%s"' % resource))),
    k.table('sum by (pod) (%s) / sum by (pod) (%s)' % [usage, k.active(ksm('kube_pod_container_resource_requests', ', resource="%s"' % resource))]),
    k.table('sum by (pod) (%s)' % k.active(ksm('kube_pod_container_resource_limits', ', resource="%s"' % resource))),
    k.table('sum by (pod) (%s) / sum by (pod) (%s)' % [usage, k.active(ksm('kube_pod_container_resource_limits', ', resource="%s"' % resource))]),
  ],
  [
    { field: 'pod', title: 'Pod', link: k.links.pod('$namespace', '${__data.fields.pod}') },
    { field: 'Value #A', title: 'Used', unit: unit },
    { field: 'Value #B', title: 'Requested', unit: unit },
    { field: 'Value #C', title: 'Used / requested', unit: 'percentunit' },
    { field: 'Value #D', title: 'Limit', unit: unit },
    { field: 'Value #E', title: 'Used / limit', unit: 'percentunit' },
  ],
  sortBy='Used',
);

k.dashboard(
  uid='oxidy-k8s-namespace-pods',
  title='Kubernetes / Namespace (pods)',
  description='CPU, memory, restarts, requests and limits of every pod in a namespace.',
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace],
  panels=[
    p.row('Overview'),
    p.stat('Pods', [k.instant('count(%s)' % ksm('kube_pod_info'))], w=4),
    p.stat('Running', [k.instant('sum(%s)' % ksm('kube_pod_status_phase', ', phase="Running"'))], w=4),
    p.stat('Pending', [k.instant('sum(%s)' % ksm('kube_pod_status_phase', ', phase="Pending"'))], warn=1, w=4),
    p.stat('Failed', [k.instant('sum(%s)' % ksm('kube_pod_status_phase', ', phase="Failed"'))], warn=1, w=4),
    p.stat(
      'Restarts (1h)',
      [k.instant('sum(increase(%s[1h]))' % ksm('kube_pod_container_status_restarts_total'))],
      warn=1,
      bad=5,
      w=4,
    ),
    p.stat(
      'Containers waiting',
      [k.instant('sum(%s) or vector(0)' % ksm('kube_pod_container_status_waiting_reason'))],
      description='Containers not started, such as in CrashLoopBackOff or ImagePullBackOff.',
      warn=1,
      w=4,
    ),
    p.row('CPU'),
    p.timeseries('CPU used by pod', [k.q('sum by (pod) (%s)' % cpu, '{{pod}}')], stack=true, links=podLink),
    p.timeseries(
      'CPU throttled',
      [
        k.q(
          'sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{%(c)s}[$__rate_interval])) / sum by (pod) (rate(container_cpu_cfs_periods_total{%(c)s}[$__rate_interval]))'
          % { c: containers },
          '{{pod}}',
        ),
      ],
      description='Share of scheduling periods in which a pod hit its CPU limit.',
      unit='percentunit',
      links=podLink,
    ),
    podTable('CPU by pod', 'cpu', cpu, 'short'),
    p.row('Memory'),
    p.timeseries('Memory used by pod', [k.q('sum by (pod) (%s)' % memory, '{{pod}}')], unit='bytes', stack=true, links=podLink),
    p.timeseries(
      'Memory by kind',
      [
        k.q('sum(%s)' % memory, 'working set'),
        k.q('sum(container_memory_rss{%s})' % containers, 'RSS'),
        k.q('sum(container_memory_cache{%s})' % containers, 'page cache'),
        k.q('sum(container_memory_swap{%s})' % containers, 'swap'),
      ],
      unit='bytes',
    ),
    podTable('Memory by pod', 'memory', memory, 'bytes'),
    p.row('Health'),
    p.timeseries(
      'Restarts by pod',
      [k.q('sum by (pod) (increase(%s[$__rate_interval])) > 0' % ksm('kube_pod_container_status_restarts_total'), '{{pod}}')],
      links=podLink,
    ),
    p.table(
      'Waiting and last terminated containers',
      [
        k.table('max by (pod, container, reason) (%s == 1)' % ksm('kube_pod_container_status_waiting_reason')),
        k.table('max by (pod, container, reason) (%s == 1)' % ksm('kube_pod_container_status_last_terminated_reason')),
      ],
      [
        { field: 'pod', title: 'Pod', link: k.links.pod('$namespace', '${__data.fields.pod}') },
        { field: 'container', title: 'Container' },
        { field: 'reason', title: 'Reason' },
      ],
      description='Why containers are not running, or why they last stopped (OOMKilled, Error).',
      w=12,
    ),
  ],
)
