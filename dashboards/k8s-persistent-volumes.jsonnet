// Persistent volumes as their pods' kubelets see them: space and inodes used, how fast they
// fill, and the claims that are not bound.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local claim = s.namespace + ', persistentvolumeclaim=~"$persistentvolumeclaim"';
local stat(metric) = 'max(%s{%s})' % [metric, claim];
local used = '(%s - %s) / %s' % [
  stat('kubelet_volume_stats_capacity_bytes'),
  stat('kubelet_volume_stats_available_bytes'),
  stat('kubelet_volume_stats_capacity_bytes'),
];
local perClaim(metric, scope) = 'max by (namespace, persistentvolumeclaim) (%s{%s})' % [metric, scope];
local claimLink = k.links.volume('${__data.fields.namespace}', '${__data.fields.persistentvolumeclaim}');

k.dashboard(
  uid='oxidy-k8s-persistent-volumes',
  title='Kubernetes / Persistent volumes',
  description='Space and inodes used on each persistent volume claim, how fast it fills, and claims that are not bound.',
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace, k.vars.pvc],
  panels=[
    p.row('Claim'),
    p.gauge('Space used', [k.instant(used)], w=6, h=6),
    p.gauge(
      'Inodes used',
      [k.instant('%s / %s' % [stat('kubelet_volume_stats_inodes_used'), stat('kubelet_volume_stats_inodes')])],
      w=6,
      h=6,
    ),
    p.stat('Capacity', [k.instant(stat('kubelet_volume_stats_capacity_bytes'))], unit='bytes', w=6, h=6),
    p.stat(
      'Full in',
      [
        k.instant(
          '%s / clamp_min(-deriv(max(kubelet_volume_stats_available_bytes{%s})[6h:5m]), 1e-9)'
          % [stat('kubelet_volume_stats_available_bytes'), claim]
        ),
      ],
      description='Time until the volume is full at the rate it filled over the last 6 hours; very large when it is not filling.',
      unit='s',
      w=6,
      h=6,
    ),
    p.timeseries(
      'Space',
      [
        k.q('%s - %s' % [stat('kubelet_volume_stats_capacity_bytes'), stat('kubelet_volume_stats_available_bytes')], 'used'),
        k.q(stat('kubelet_volume_stats_capacity_bytes'), 'capacity'),
      ],
      unit='bytes',
    ),
    p.timeseries(
      'Inodes',
      [
        k.q(stat('kubelet_volume_stats_inodes_used'), 'used'),
        k.q(stat('kubelet_volume_stats_inodes'), 'total'),
      ],
    ),
    p.row('All claims'),
    p.table(
      'Claims in the cluster',
      [
        k.table(perClaim('kube_persistentvolumeclaim_info', s.cluster)),
        k.table(
          '1 - %s / %s' % [
            perClaim('kubelet_volume_stats_available_bytes', s.cluster),
            perClaim('kubelet_volume_stats_capacity_bytes', s.cluster),
          ]
        ),
        k.table(perClaim('kubelet_volume_stats_capacity_bytes', s.cluster)),
        k.table(
          '%s / %s' % [perClaim('kubelet_volume_stats_inodes_used', s.cluster), perClaim('kubelet_volume_stats_inodes', s.cluster)]
        ),
      ],
      [
        { field: 'namespace', title: 'Namespace' },
        { field: 'persistentvolumeclaim', title: 'Claim', link: claimLink },
        { field: 'Value #B', title: 'Space used', unit: 'percentunit' },
        { field: 'Value #C', title: 'Capacity', unit: 'bytes' },
        { field: 'Value #D', title: 'Inodes used', unit: 'percentunit' },
      ],
      sortBy='Space used',
    ),
    p.table(
      'Claims not bound',
      [k.table('max by (namespace, persistentvolumeclaim, phase) (kube_persistentvolumeclaim_status_phase{%s, phase!="Bound"} == 1)' % s.cluster)],
      [
        { field: 'namespace', title: 'Namespace' },
        { field: 'persistentvolumeclaim', title: 'Claim' },
        { field: 'phase', title: 'Phase' },
      ],
      description='Pending claims wait for a volume to be provisioned; Lost claims lost theirs.',
      w=12,
    ),
    p.table(
      'Volumes not bound',
      [k.table('max by (persistentvolume, phase) (kube_persistentvolume_status_phase{%s, phase!="Bound"} == 1)' % s.cluster)],
      [{ field: 'persistentvolume', title: 'Volume' }, { field: 'phase', title: 'Phase' }],
      description='Released and Failed volumes keep their data until they are deleted or reclaimed.',
      w=12,
    ),
  ],
)
