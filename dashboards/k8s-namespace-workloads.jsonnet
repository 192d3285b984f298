// One namespace, workload by workload (Deployments, StatefulSets, DaemonSets, Jobs): CPU,
// memory and replicas. Workloads link to the workload dashboard.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local containers = s.containers + ', namespace=~"$namespace"';
local cpu = 'rate(container_cpu_usage_seconds_total{%s}[$__rate_interval])' % containers;
local memory = 'container_memory_working_set_bytes{%s}' % containers;
local by = 'workload, workload_type';
local requests(resource) =
  k.active('kube_pod_container_resource_requests{%s, resource="%s"}' % [s.namespace, resource]);
local workloadLink = [k.links.workload('$namespace', '${__field.labels.workload_type}', '${__field.labels.workload}')];
local tableLink = k.links.workload('$namespace', '${__data.fields.workload_type}', '${__data.fields.workload}');

local workloadTable(title, resource, usage, unit) = p.table(
  title,
  [
    k.table(k.byWorkload('count by (env, namespace, pod) (kube_pod_info{%s})' % s.namespace, by)),
    k.table(k.byWorkload(usage, by)),
    k.table(k.byWorkload(requests(resource), by)),
    k.table('%s / %s' % [k.byWorkload(usage, by), k.byWorkload(requests(resource), by)]),
  ],
  [
    { field: 'workload', title: 'Workload', link: tableLink },
    { field: 'workload_type', title: 'Type' },
    { field: 'Value #A', title: 'Pods' },
    { field: 'Value #B', title: 'Used', unit: unit },
    { field: 'Value #C', title: 'Requested', unit: unit },
    { field: 'Value #D', title: 'Used / requested', unit: 'percentunit' },
  ],
  sortBy='Used',
);

k.dashboard(
  uid='oxidy-k8s-namespace-workloads',
  title='Kubernetes / Namespace (workloads)',
  description='CPU, memory and replicas of every Deployment, StatefulSet, DaemonSet and Job in a namespace.',
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace],
  panels=[
    p.row('Replicas'),
    p.stat('Deployments', [k.instant('count(kube_deployment_spec_replicas{%s})' % s.namespace)], w=6),
    p.stat('StatefulSets', [k.instant('count(kube_statefulset_replicas{%s})' % s.namespace)], w=6),
    p.stat('DaemonSets', [k.instant('count(kube_daemonset_status_desired_number_scheduled{%s})' % s.namespace)], w=6),
    p.stat(
      'Workloads short of replicas',
      [
        k.instant(
          '(count(kube_deployment_spec_replicas{%(n)s} > kube_deployment_status_replicas_available{%(n)s}) or vector(0)) + (count(kube_statefulset_replicas{%(n)s} > kube_statefulset_status_replicas_ready{%(n)s}) or vector(0)) + (count(kube_daemonset_status_desired_number_scheduled{%(n)s} > kube_daemonset_status_number_ready{%(n)s}) or vector(0))'
          % { n: s.namespace }
        ),
      ],
      description='Deployments, StatefulSets and DaemonSets with fewer ready replicas than they want.',
      bad=1,
      w=6,
    ),
    p.table(
      'Deployments',
      [
        k.table('max by (deployment) (kube_deployment_spec_replicas{%s})' % s.namespace),
        k.table('max by (deployment) (kube_deployment_status_replicas_available{%s})' % s.namespace),
        k.table('max by (deployment) (kube_deployment_status_replicas_updated{%s})' % s.namespace),
      ],
      [
        {
          field: 'deployment',
          title: 'Deployment',
          link: k.links.workload('$namespace', 'Deployment', '${__data.fields.deployment}'),
        },
        { field: 'Value #A', title: 'Wanted' },
        { field: 'Value #B', title: 'Available' },
        { field: 'Value #C', title: 'Up to date' },
      ],
      w=12,
    ),
    p.table(
      'StatefulSets',
      [
        k.table('max by (statefulset) (kube_statefulset_replicas{%s})' % s.namespace),
        k.table('max by (statefulset) (kube_statefulset_status_replicas_ready{%s})' % s.namespace),
        k.table('max by (statefulset) (kube_statefulset_status_replicas_updated{%s})' % s.namespace),
      ],
      [
        {
          field: 'statefulset',
          title: 'StatefulSet',
          link: k.links.workload('$namespace', 'StatefulSet', '${__data.fields.statefulset}'),
        },
        { field: 'Value #A', title: 'Wanted' },
        { field: 'Value #B', title: 'Ready' },
        { field: 'Value #C', title: 'Up to date' },
      ],
      w=12,
    ),
    p.row('CPU'),
    p.timeseries('CPU used by workload', [k.q(k.byWorkload(cpu, by), '{{workload}}')], stack=true, links=workloadLink, w=24),
    workloadTable('CPU by workload', 'cpu', cpu, 'short'),
    p.row('Memory'),
    p.timeseries(
      'Memory used by workload',
      [k.q(k.byWorkload(memory, by), '{{workload}}')],
      unit='bytes',
      stack=true,
      links=workloadLink,
      w=24,
    ),
    workloadTable('Memory by workload', 'memory', memory, 'bytes'),
  ],
)
