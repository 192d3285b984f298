// One workload (Deployment, StatefulSet, DaemonSet or Job): its replicas, and the CPU,
// memory, network and restarts of its pods. Pods link to the pod dashboard.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local pods = k.podsOf('$workload_type', '$workload');
// `expr` (per container or pod) summed by pod over the workload's pods.
local perPod(expr) = 'sum by (pod) (%s * on (env, namespace, pod) group_left () %s)' % [expr, pods];
local total(expr) = 'sum(%s * on (env, namespace, pod) group_left () %s)' % [expr, pods];
local containers = s.containers + ', namespace=~"$namespace"';
local cpu = 'rate(container_cpu_usage_seconds_total{%s}[$__rate_interval])' % containers;
local memory = 'container_memory_working_set_bytes{%s}' % containers;
local network(metric) = 'rate(%s{%s, namespace=~"$namespace"}[$__rate_interval])' % [metric, s.cadvisor];
local podLink = [k.links.pod('$namespace', '${__field.labels.pod}')];

k.dashboard(
  uid='oxidy-k8s-workload',
  title='Kubernetes / Workload',
  description="A workload's replicas, and the CPU, memory, network and restarts of its pods.",
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace, k.vars.workloadType, k.vars.workload],
  panels=[
    p.row('Pods'),
    p.stat('Pods', [k.instant('count(%s)' % pods)], w=6),
    p.stat(
      'Ready pods',
      [k.instant(total('max by (env, namespace, pod) (kube_pod_status_ready{%s, condition="true"})' % s.namespace))],
      w=6,
    ),
    p.stat(
      'Restarts (1h)',
      [k.instant(total('increase(kube_pod_container_status_restarts_total{%s}[1h])' % s.namespace))],
      warn=1,
      bad=5,
      w=6,
    ),
    p.stat(
      'CPU used / requested',
      [
        k.instant(
          '%s / %s' % [total(cpu), total(k.active('kube_pod_container_resource_requests{%s, resource="cpu"}' % s.namespace))]
        ),
      ],
      unit='percentunit',
      w=6,
    ),
    p.table(
      'Pods',
      [
        k.table(perPod('kube_pod_info{%s}' % s.namespace)),
        k.table(perPod('max by (env, namespace, pod) (kube_pod_status_ready{%s, condition="true"})' % s.namespace)),
        k.table(perPod(cpu)),
        k.table(perPod(memory)),
        k.table(perPod('kube_pod_container_status_restarts_total{%s}' % s.namespace)),
      ],
      [
        { field: 'pod', title: 'Pod', link: k.links.pod('$namespace', '${__data.fields.pod}') },
        { field: 'Value #B', title: 'Ready' },
        { field: 'Value #C', title: 'CPU', unit: 'short' },
        { field: 'Value #D', title: 'Memory', unit: 'bytes' },
        { field: 'Value #E', title: 'Restarts' },
      ],
    ),
    p.row('Resources'),
    p.timeseries('CPU used by pod', [k.q(perPod(cpu), '{{pod}}')], stack=true, links=podLink),
    p.timeseries('Memory used by pod', [k.q(perPod(memory), '{{pod}}')], unit='bytes', stack=true, links=podLink),
    p.timeseries(
      'CPU throttled',
      [
        k.q(
          '%s / %s' % [
            perPod('rate(container_cpu_cfs_throttled_periods_total{%s}[$__rate_interval])' % containers),
            perPod('rate(container_cpu_cfs_periods_total{%s}[$__rate_interval])' % containers),
          ],
          '{{pod}}',
        ),
      ],
      unit='percentunit',
      links=podLink,
    ),
    p.timeseries(
      'Restarts by pod',
      [k.q(perPod('increase(kube_pod_container_status_restarts_total{%s}[$__rate_interval])' % s.namespace), '{{pod}}')],
      links=podLink,
    ),
    p.row('Network'),
    p.timeseries(
      'Received by pod',
      [k.q(perPod(network('container_network_receive_bytes_total')), '{{pod}}')],
      unit='Bps',
      links=podLink,
    ),
    p.timeseries(
      'Transmitted by pod',
      [k.q(perPod(network('container_network_transmit_bytes_total')), '{{pod}}')],
      unit='Bps',
      links=podLink,
    ),
  ],
)
