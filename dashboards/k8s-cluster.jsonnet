// The cluster at a glance: nodes, pods, and CPU and memory used against what is allocatable,
// requested and limited, per namespace and per node. Namespaces and nodes link onwards.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local cpu = 'rate(container_cpu_usage_seconds_total{%s}[$__rate_interval])' % s.containers;
local memory = 'container_memory_working_set_bytes{%s}' % s.containers;
local requests(resource) = k.active('kube_pod_container_resource_requests{%s, resource="%s"}' % [s.cluster, resource]);
local limits(resource) = k.active('kube_pod_container_resource_limits{%s, resource="%s"}' % [s.cluster, resource]);
local allocatable(resource) = 'sum(kube_node_status_allocatable{%s, resource="%s"})' % [s.cluster, resource];
local namespaceLink = [k.links.namespacePods('${__field.labels.namespace}')];

// A namespace table of one resource: used, requested and limited, and the ratios.
local quota(title, resource, usage, unit) = p.table(
  title,
  [
    k.table('count by (namespace) (kube_pod_info{%s})' % s.cluster),
    k.table('sum by (namespace) (%s)' % usage),
    k.table('sum by (namespace) (%s)' % requests(resource)),
    k.table('sum by (namespace) (%s) / sum by (namespace) (%s)' % [usage, requests(resource)]),
    k.table('sum by (namespace) (%s)' % limits(resource)),
    k.table('sum by (namespace) (%s) / sum by (namespace) (%s)' % [usage, limits(resource)]),
  ],
  [
    { field: 'namespace', title: 'Namespace', link: k.links.namespacePods('${__data.fields.namespace}') },
    { field: 'Value #A', title: 'Pods' },
    { field: 'Value #B', title: 'Used', unit: unit },
    { field: 'Value #C', title: 'Requested', unit: unit },
    { field: 'Value #D', title: 'Used / requested', unit: 'percentunit' },
    { field: 'Value #E', title: 'Limit', unit: unit },
    { field: 'Value #F', title: 'Used / limit', unit: 'percentunit' },
  ],
  sortBy='Used',
);

k.dashboard(
  uid='oxidy-k8s-cluster',
  title='Kubernetes / Cluster',
  description='Nodes, pods, and CPU and memory used, requested and limited across the cluster, by namespace and by node.',
  variables=[k.vars.datasource, k.vars.cluster],
  panels=[
    p.row('Overview'),
    p.stat('Nodes', [k.instant('count(kube_node_info{%s})' % s.cluster)], w=4),
    p.stat(
      'Nodes not ready',
      [k.instant('count(kube_node_status_condition{%s, condition="Ready", status="true"} == 0) or vector(0)' % s.cluster)],
      bad=1,
      w=4,
    ),
    p.stat('Namespaces', [k.instant('count(kube_namespace_status_phase{%s, phase="Active"} == 1)' % s.cluster)], w=4),
    p.stat('Running pods', [k.instant('sum(kube_pod_status_phase{%s, phase="Running"})' % s.cluster)], w=4),
    p.stat(
      'Pending pods',
      [k.instant('sum(kube_pod_status_phase{%s, phase="Pending"})' % s.cluster)],
      description='Pods not yet scheduled or still pulling images.',
      warn=1,
      w=4,
    ),
    p.stat('Failed pods', [k.instant('sum(kube_pod_status_phase{%s, phase="Failed"})' % s.cluster)], warn=1, w=4),
    p.stat('CPU used', [k.instant('sum(%s) / %s' % [cpu, allocatable('cpu')])], unit='percentunit', warn=0.7, bad=0.9, w=4),
    p.stat(
      'CPU requested',
      [k.instant('sum(%s) / %s' % [requests('cpu'), allocatable('cpu')])],
      description='Requests of pending and running pods against what the nodes can allocate. Above 100% new pods cannot be scheduled.',
      unit='percentunit',
      warn=0.8,
      bad=1,
      w=4,
    ),
    p.stat(
      'CPU limits',
      [k.instant('sum(%s) / %s' % [limits('cpu'), allocatable('cpu')])],
      description='Limits above 100% overcommit the nodes: pods are throttled when all of them use their limit.',
      unit='percentunit',
      w=4,
    ),
    p.stat(
      'Memory used',
      [k.instant('sum(%s) / %s' % [memory, allocatable('memory')])],
      description='Working set of every container against allocatable memory.',
      unit='percentunit',
      warn=0.7,
      bad=0.9,
      w=4,
    ),
    p.stat(
      'Memory requested',
      [k.instant('sum(%s) / %s' % [requests('memory'), allocatable('memory')])],
      unit='percentunit',
      warn=0.8,
      bad=1,
      w=4,
    ),
    p.stat(
      'Memory limits',
      [k.instant('sum(%s) / %s' % [limits('memory'), allocatable('memory')])],
      description='Limits above 100% overcommit the nodes: the kernel kills pods when they all use their limit.',
      unit='percentunit',
      w=4,
    ),
    p.row('CPU'),
    p.timeseries(
      'CPU used by namespace',
      [k.q('sum by (namespace) (%s)' % cpu, '{{namespace}}')],
      unit='short',
      stack=true,
      links=namespaceLink,
      w=24,
    ),
    quota('CPU by namespace', 'cpu', cpu, 'short'),
    p.row('Memory'),
    p.timeseries(
      'Memory used by namespace',
      [k.q('sum by (namespace) (%s)' % memory, '{{namespace}}')],
      description='Working set: what the kernel cannot reclaim, and what the OOM killer compares with the limit.',
      unit='bytes',
      stack=true,
      links=namespaceLink,
      w=24,
    ),
    quota('Memory by namespace', 'memory', memory, 'bytes'),
    p.row('Nodes'),
    p.table(
      'Nodes',
      [
        k.table('max by (node, kubelet_version, os_image) (kube_node_info{%s})' % s.cluster),
        k.table('max by (node) (kube_node_status_condition{%s, condition="Ready", status="true"})' % s.cluster),
        k.table(
          'sum by (node) (%s)' % k.onNode('(1 - avg by (env, instance) (rate(node_cpu_seconds_total{%s, mode="idle"}[$__rate_interval])))' % s.cluster)
        ),
        k.table(
          'sum by (node) (%s)' % k.onNode('(1 - node_memory_MemAvailable_bytes{%(c)s} / node_memory_MemTotal_bytes{%(c)s})' % { c: s.cluster })
        ),
        k.table('sum by (node) (kube_pod_info{%s})' % s.cluster),
        k.table('sum by (node) (kube_node_status_allocatable{%s, resource="pods"})' % s.cluster),
      ],
      [
        { field: 'node', title: 'Node', link: k.links.node('${__data.fields.node}') },
        { field: 'kubelet_version', title: 'Kubelet' },
        { field: 'os_image', title: 'OS' },
        { field: 'Value #B', title: 'Ready' },
        { field: 'Value #C', title: 'CPU used', unit: 'percentunit' },
        { field: 'Value #D', title: 'Memory used', unit: 'percentunit' },
        { field: 'Value #E', title: 'Pods' },
        { field: 'Value #F', title: 'Pod capacity' },
      ],
    ),
    p.timeseries(
      'Pods by phase',
      [k.q('sum by (phase) (kube_pod_status_phase{%s})' % s.cluster, '{{phase}}')],
      stack=true,
    ),
    p.timeseries(
      'Container restarts',
      [
        k.q(
          'sum by (namespace) (increase(kube_pod_container_status_restarts_total{%s}[$__rate_interval])) > 0' % s.cluster,
          '{{namespace}}',
        ),
      ],
      links=namespaceLink,
    ),
  ],
)
