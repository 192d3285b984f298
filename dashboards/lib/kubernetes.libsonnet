// What the Kubernetes dashboards share: their template variables, the selectors of each
// exporter's series, the query that finds a workload's pods, and the links between them.
//
// Series carry no cluster label inside one environment; Prometheus adds `env` (the
// environment's name) as an external label when they leave it, for a central Prometheus or
// Thanos. The `cluster` variable therefore selects on `env`, and its "All" matches series
// without the label too.
local ds = import 'datasources.libsonnet';
local panels = import 'panels.libsonnet';
local queries = import 'queries.libsonnet';
local variables = import 'variables.libsonnet';

// The matchers every query of the set starts with.
local cluster = 'env=~"$cluster"';
local ns = cluster + ', namespace=~"$namespace"';

// A hidden variable holding every `instance` of `metric`: "All" stands for exactly those values,
// so that it follows the variables `metric` selects on.
local derived(name, metric) = variables.labelValues(
  name, 'instance', metric, multi=true, includeAll=true, allValue=null, datasource=ds.selected, hide=2
) { current: { text: 'All', value: '$__all' } };

{
  tag:: 'kubernetes',

  // Selectors (matchers without braces), to be completed by each query.
  sel:: {
    cluster: cluster,
    namespace: ns,
    // cAdvisor's containers, without the pod-level cgroup and the pause container.
    cadvisor: 'job="kubelet", metrics_path="/metrics/cadvisor", ' + cluster,
    containers: self.cadvisor + ', container!="", container!="POD"',
    // The kubelet's own metrics.
    kubelet: 'job="kubelet", metrics_path="/metrics", ' + cluster,
  },

  // Queries against the datasource the `datasource` variable selects.
  q(expr, legend='__auto'):: queries.prometheus(expr, legend, datasource=ds.selected),
  instant(expr, legend='__auto'):: queries.prometheusInstant(expr, legend, datasource=ds.selected),
  table(expr):: queries.prometheusTable(expr, datasource=ds.selected),

  // The variables, in the order dashboards list them; each filters by those before it.
  vars:: {
    datasource: variables.datasource(),
    cluster: variables.labelValues(
      'cluster', 'env', 'kube_node_info', title='Cluster', includeAll=true, allValue='.*', datasource=ds.selected
    ) { current: { text: 'All', value: '$__all' } },
    namespace: variables.labelValues(
      'namespace', 'namespace', 'kube_namespace_status_phase{%s}' % cluster, title='Namespace', datasource=ds.selected
    ),
    node: variables.labelValues('node', 'node', 'kube_node_info{%s}' % cluster, title='Node', datasource=ds.selected),
    nodes: self.node { multi: true, includeAll: true, allValue: '.+', current: { text: 'All', value: '$__all' } },
    // node-exporter's targets are pods: its series name the node only in node_uname_info.
    instance: derived('instance', 'node_uname_info{%s, nodename=~"$node"}' % cluster),
    // The kubelets of the nodes.
    kubelet: derived('kubelet', 'kubelet_node_name{%s, node=~"$node"}' % cluster),
    pod: variables.labelValues('pod', 'pod', 'kube_pod_info{%s}' % ns, title='Pod', datasource=ds.selected),
    workloadType: variables.custom(
      'workload_type',
      [['deployment', 'Deployment'], ['statefulset', 'StatefulSet'], ['daemonset', 'DaemonSet'], ['job', 'Job']],
      title='Type',
    ),
    workload: {
      local query = 'query_result(count by (workload) (%s))' % $.podsOf(kind='$workload_type', workload='.+'),
      name: 'workload',
      label: 'Workload',
      type: 'query',
      datasource: ds.selected,
      definition: query,
      query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 3 },
      regex: '/workload="([^"]+)"/',
      refresh: 2,
      sort: 1,
      multi: false,
      includeAll: false,
      current: {},
      options: [],
      hide: 0,
    },
    pvc: variables.labelValues(
      'persistentvolumeclaim',
      'persistentvolumeclaim',
      'kubelet_volume_stats_capacity_bytes{%s}' % ns,
      title='Volume claim',
      datasource=ds.selected,
    ),
  },

  // One series per pod of the workloads of `kind` (a regex over Deployment, StatefulSet,
  // DaemonSet and Job) named by `workload` (a regex) in the selected namespace, labelled
  // `workload` and `workload_type`, valued 1: join it `on (env, namespace, pod)`. A pod of a
  // Deployment is owned by a ReplicaSet that the Deployment owns.
  podsOf(kind, workload)::
    local owned = |||
      label_replace(label_replace(kube_pod_owner{%(ns)s, owner_kind=~"StatefulSet|DaemonSet|Job", owner_kind=~"%(kind)s", owner_name=~"%(workload)s"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "$1", "owner_kind", "(.*)")
    ||| % { ns: ns, kind: kind, workload: workload };
    local viaReplicaSet = |||
      max by (env, namespace, pod, replicaset) (label_replace(kube_pod_owner{%(ns)s, owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)"))
      * on (env, namespace, replicaset) group_left (workload, workload_type)
      max by (env, namespace, replicaset, workload, workload_type) (label_replace(label_replace(kube_replicaset_owner{%(ns)s, owner_kind="Deployment", owner_kind=~"%(kind)s", owner_name=~"%(workload)s"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "$1", "owner_kind", "(.*)"))
    ||| % { ns: ns, kind: kind, workload: workload };
    local line(text) = std.strReplace(std.stripChars(text, '\n'), '\n', ' ');
    'max by (env, namespace, pod, workload, workload_type) (%s or %s)' % [line(owned), line(viaReplicaSet)],

  // `expr` (per container, from kube-state-metrics) for pods that are pending or running only:
  // finished pods keep their requests and limits as series.
  active(expr)::
    '(%s) * on (env, namespace, pod) group_left () max by (env, namespace, pod) (kube_pod_status_phase{%s, phase=~"Pending|Running"} == 1)'
    % [expr, cluster],

  // `expr` (a node-exporter series, per target) labelled with its node's name, `node`.
  onNode(expr)::
    'label_replace(%s * on (env, instance) group_left (nodename) node_uname_info{%s}, "node", "$1", "nodename", "(.*)")'
    % [expr, cluster],

  // `expr` (with `namespace` and `pod` labels) summed by `by` over the pods of the workloads.
  byWorkload(expr, by='workload', kind='.+', workload='.+')::
    'sum by (%s) (%s * on (env, namespace, pod) group_left (workload, workload_type) %s)' % [by, expr, self.podsOf(kind, workload)],

  // Links that carry the data source, cluster and time range along.
  local carry = ['${datasource:queryparam}', '${cluster:queryparam}'],
  links:: {
    namespacePods(field):: panels.link('Namespace (pods)', 'oxidy-k8s-namespace-pods', carry + ['var-namespace=' + field]),
    namespaceWorkloads(field)::
      panels.link('Namespace (workloads)', 'oxidy-k8s-namespace-workloads', carry + ['var-namespace=' + field]),
    workload(namespace, type, workload)::
      panels.link(
        'Workload',
        'oxidy-k8s-workload',
        carry + ['var-namespace=' + namespace, 'var-workload_type=' + type, 'var-workload=' + workload]
      ),
    pod(namespace, pod):: panels.link('Pod', 'oxidy-k8s-pod', carry + ['var-namespace=' + namespace, 'var-pod=' + pod]),
    node(node):: panels.link('Node', 'oxidy-k8s-node', carry + ['var-node=' + node]),
    networkingNamespace(field)::
      panels.link('Namespace networking', 'oxidy-k8s-networking-namespace', carry + ['var-namespace=' + field]),
    networkingPod(namespace, pod)::
      panels.link('Pod networking', 'oxidy-k8s-networking-pod', carry + ['var-namespace=' + namespace, 'var-pod=' + pod]),
    volume(namespace, pvc)::
      panels.link(
        'Persistent volume',
        'oxidy-k8s-persistent-volumes',
        carry + ['var-namespace=' + namespace, 'var-persistentvolumeclaim=' + pvc]
      ),
  },

  // A Kubernetes dashboard: in the Kubernetes folder, tagged, with a menu of the others.
  dashboard(uid, title, description, variables, panels, tags=[])::
    (import 'dashboard.libsonnet').new(
      uid=uid,
      title=title,
      folder='Kubernetes',
      description=description,
      tags=[self.tag] + tags,
      variables=variables,
      panels=panels,
      links=[(import 'dashboard.libsonnet').tagLinks(self.tag, 'Kubernetes')],
    ),
}
