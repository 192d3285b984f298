// The kubelets: what they run, how fast they start pods and talk to the container runtime,
// the pod lifecycle event generator, volume operations, and their own resources.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local kubelet = s.kubelet + ', instance=~"$kubelet"';
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, kubelet, extra];
local p99(metric, by) = 'histogram_quantile(0.99, sum by (%s, le) (%s))' % [by, rate(metric)];
local withNode(expr) = '%s * on (env, instance) group_left (node) max by (env, instance, node) (kubelet_node_name{%s})' % [expr, kubelet];

k.dashboard(
  uid='oxidy-k8s-kubelet',
  title='Kubernetes / Kubelet',
  description='What the kubelets run, how fast they start pods and call the container runtime, PLEG relist, volume operations, and their own resources.',
  variables=[k.vars.datasource, k.vars.cluster, k.vars.nodes, k.vars.kubelet],
  panels=[
    p.row('Overview'),
    p.stat('Kubelets up', [k.instant('sum(up{%s})' % kubelet)], w=4),
    p.stat('Running pods', [k.instant('sum(kubelet_running_pods{%s})' % kubelet)], w=4),
    p.stat('Running containers', [k.instant('sum(kubelet_running_containers{%s, container_state="running"})' % kubelet)], w=4),
    p.stat('Volumes mounted', [k.instant('sum(volume_manager_total_volumes{%s, state="actual_state_of_world"})' % kubelet)], w=4),
    p.stat('Evictions (1h)', [k.instant('sum(increase(kubelet_evictions{%s}[1h])) or vector(0)' % kubelet)], warn=1, w=4),
    p.stat(
      'Client certificate expires in',
      [k.instant('min(kubelet_certificate_manager_client_ttl_seconds{%s})' % kubelet)],
      description='Time until the kubelet\'s client certificate for the API server expires; it is renewed well before.',
      unit='s',
      w=4,
    ),
    p.timeseries('Running pods by node', [k.q(withNode('kubelet_running_pods{%s}' % kubelet), '{{node}}')]),
    p.timeseries(
      'Running containers by node',
      [k.q(withNode('sum by (env, instance) (kubelet_running_containers{%s, container_state="running"})' % kubelet), '{{node}}')],
    ),
    p.row('Container runtime'),
    p.timeseries('Operations', [k.q('sum by (operation_type) (%s)' % rate('kubelet_runtime_operations_total'), '{{operation_type}}')], unit='ops'),
    p.timeseries(
      'Operation errors',
      [k.q('sum by (operation_type) (%s)' % rate('kubelet_runtime_operations_errors_total'), '{{operation_type}}')],
      unit='ops',
    ),
    p.timeseries(
      'Operation duration (p99)',
      [k.q(p99('kubelet_runtime_operations_duration_seconds_bucket', 'operation_type'), '{{operation_type}}')],
      unit='s',
      w=24,
    ),
    p.row('Pods'),
    p.timeseries(
      'Pod start duration (p99)',
      [
        k.q('histogram_quantile(0.99, sum by (le) (%s))' % rate('kubelet_pod_start_duration_seconds_bucket'), 'start'),
        k.q(
          'histogram_quantile(0.99, sum by (le) (%s))' % rate('kubelet_pod_worker_duration_seconds_bucket'),
          'worker',
        ),
      ],
      description='From the kubelet seeing a pod to its containers running (images pulled included), and one sync of a pod by its worker.',
      unit='s',
    ),
    p.timeseries(
      'Pod worker duration (p99)',
      [k.q(p99('kubelet_pod_worker_duration_seconds_bucket', 'operation_type'), '{{operation_type}}')],
      unit='s',
    ),
    p.timeseries(
      'PLEG relist duration (p99)',
      [k.q(withNode(p99('kubelet_pleg_relist_duration_seconds_bucket', 'env, instance')), '{{node}}')],
      description='How long the pod lifecycle event generator takes to list containers. Above a few seconds the node can go NotReady.',
      unit='s',
    ),
    p.timeseries(
      'PLEG relist interval (p99)',
      [k.q(withNode(p99('kubelet_pleg_relist_interval_seconds_bucket', 'env, instance')), '{{node}}')],
      unit='s',
    ),
    p.row('Storage and cgroups'),
    p.timeseries(
      'Storage operations',
      [
        k.q(
          'sum by (operation_name, volume_plugin, status) (%s)' % rate('storage_operation_duration_seconds_count'),
          '{{operation_name}} {{volume_plugin}} {{status}}',
        ),
      ],
      unit='ops',
    ),
    p.timeseries(
      'Storage operation duration (p99)',
      [
        k.q(
          p99('storage_operation_duration_seconds_bucket', 'operation_name, volume_plugin'),
          '{{operation_name}} {{volume_plugin}}',
        ),
      ],
      unit='s',
    ),
    p.timeseries(
      'Cgroup manager duration (p99)',
      [k.q(p99('kubelet_cgroup_manager_duration_seconds_bucket', 'operation_type'), '{{operation_type}}')],
      unit='s',
    ),
    p.timeseries(
      'Requests to the API server',
      [k.q('sum by (code) (%s)' % rate('rest_client_requests_total'), '{{code}}')],
      unit='reqps',
    ),
    p.row('Kubelet process'),
    p.timeseries('Memory', [k.q(withNode('process_resident_memory_bytes{%s}' % kubelet), '{{node}}')], unit='bytes', w=8),
    p.timeseries('CPU', [k.q(withNode(rate('process_cpu_seconds_total')), '{{node}}')], w=8),
    p.timeseries('Goroutines', [k.q(withNode('go_goroutines{%s}' % kubelet), '{{node}}')], w=8),
  ],
)
