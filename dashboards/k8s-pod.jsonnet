// One pod, container by container: CPU against requests and limits, throttling, memory,
// restarts and why, network and disk I/O.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local pod = s.namespace + ', pod=~"$pod"';
local containers = s.containers + ', namespace=~"$namespace", pod=~"$pod"';
local cpu = 'rate(container_cpu_usage_seconds_total{%s}[$__rate_interval])' % containers;
local memory = 'container_memory_working_set_bytes{%s}' % containers;
local byContainer(metric, resource) = 'max by (container) (%s{%s, resource="%s"})' % [metric, pod, resource];
local network(metric) = 'sum(rate(%s{%s, namespace=~"$namespace", pod=~"$pod"}[$__rate_interval]))' % [metric, s.cadvisor];

k.dashboard(
  uid='oxidy-k8s-pod',
  title='Kubernetes / Pod',
  description="A pod's containers: CPU, throttling and memory against requests and limits, restarts and their reasons, network and disk I/O.",
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace, k.vars.pod],
  panels=[
    p.row('Status'),
    p.stat('Phase', [k.instant('max by (phase) (kube_pod_status_phase{%s} == 1)' % pod, '{{phase}}')], w=6) {
      options+: { textMode: 'name' },
    },
    p.stat('Ready', [k.instant('max(kube_pod_status_ready{%s, condition="true"})' % pod)], w=6),
    p.stat('Restarts (1h)', [k.instant('sum(increase(kube_pod_container_status_restarts_total{%s}[1h]))' % pod)], warn=1, bad=5, w=6),
    p.stat(
      'Node',
      [k.instant('max by (node) (kube_pod_info{%s})' % pod, '{{node}}')],
      links=[k.links.node('${__field.labels.node}')],
      w=6,
    ) { options+: { textMode: 'name' } },
    p.table(
      'Containers',
      [
        k.table('max by (container, image) (kube_pod_container_info{%s})' % pod),
        k.table('max by (container) (kube_pod_container_status_ready{%s})' % pod),
        k.table('max by (container) (kube_pod_container_status_restarts_total{%s})' % pod),
        k.table('max by (container, reason) (kube_pod_container_status_waiting_reason{%s} == 1)' % pod),
        k.table('max by (container, reason) (kube_pod_container_status_last_terminated_reason{%s} == 1)' % pod),
      ],
      [
        { field: 'container', title: 'Container' },
        { field: 'image', title: 'Image' },
        { field: 'Value #B', title: 'Ready' },
        { field: 'Value #C', title: 'Restarts' },
        { field: 'reason', title: 'Waiting or last terminated because' },
      ],
    ),
    p.row('CPU'),
    p.timeseries(
      'CPU used',
      [
        k.q('sum by (container) (%s)' % cpu, '{{container}}'),
        k.q(byContainer('kube_pod_container_resource_requests', 'cpu'), '{{container}} request'),
        k.q(byContainer('kube_pod_container_resource_limits', 'cpu'), '{{container}} limit'),
      ],
    ),
    p.timeseries(
      'CPU throttled',
      [
        k.q(
          'sum by (container) (rate(container_cpu_cfs_throttled_periods_total{%(c)s}[$__rate_interval])) / sum by (container) (rate(container_cpu_cfs_periods_total{%(c)s}[$__rate_interval]))'
          % { c: containers },
          '{{container}}',
        ),
      ],
      description='Share of scheduling periods in which the container hit its CPU limit. Above 25% it runs noticeably slower.',
      unit='percentunit',
      max=1,
    ),
    p.row('Memory'),
    p.timeseries(
      'Memory used',
      [
        k.q('sum by (container) (%s)' % memory, '{{container}}'),
        k.q(byContainer('kube_pod_container_resource_requests', 'memory'), '{{container}} request'),
        k.q(byContainer('kube_pod_container_resource_limits', 'memory'), '{{container}} limit'),
      ],
      description='Working set against the limit: the OOM killer stops the container when it reaches it.',
      unit='bytes',
    ),
    p.timeseries(
      'OOM kills and restarts',
      [
        k.q('sum by (container) (increase(container_oom_events_total{%s}[$__rate_interval]))' % containers, '{{container}} OOM'),
        k.q(
          'sum by (container) (increase(kube_pod_container_status_restarts_total{%s}[$__rate_interval]))' % pod,
          '{{container}} restarts',
        ),
      ],
    ),
    p.row('Network and disk'),
    p.timeseries(
      'Network',
      [
        k.q(network('container_network_receive_bytes_total'), 'received'),
        k.q(network('container_network_transmit_bytes_total'), 'transmitted'),
      ],
      unit='Bps',
      links=[k.links.networkingPod('$namespace', '$pod')],
      w=8,
    ),
    p.timeseries(
      'Disk throughput',
      [
        k.q('sum by (container) (rate(container_fs_reads_bytes_total{%s}[$__rate_interval]))' % containers, '{{container}} read'),
        k.q('sum by (container) (rate(container_fs_writes_bytes_total{%s}[$__rate_interval]))' % containers, '{{container}} write'),
      ],
      unit='Bps',
      w=8,
    ),
    p.timeseries(
      'Disk operations',
      [
        k.q('sum by (container) (rate(container_fs_reads_total{%s}[$__rate_interval]))' % containers, '{{container}} read'),
        k.q('sum by (container) (rate(container_fs_writes_total{%s}[$__rate_interval]))' % containers, '{{container}} write'),
      ],
      unit='iops',
      w=8,
    ),
  ],
)
