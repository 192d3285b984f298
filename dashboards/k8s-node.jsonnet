// One node by the USE method: utilisation, saturation and errors of its CPU, memory, disks
// and network, from node-exporter, with the pods it runs.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local n = s.cluster + ', instance=~"$instance"';
local rate(metric, extra='') = 'rate(%s{%s%s}[$__rate_interval])' % [metric, n, extra];
local disks = ', device!~"dm-.*|loop.*|ram.*|sr.*"';
local interfaces = ', device!~"lo|veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|docker.*|tunl.*|vxlan.*"';
local filesystems = ', fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs|fuse.*", mountpoint!=""';

k.dashboard(
  uid='oxidy-k8s-node',
  title='Kubernetes / Node',
  description='A node by the USE method: utilisation, saturation and errors of CPU, memory, disks and network, and the pods it runs.',
  variables=[k.vars.datasource, k.vars.cluster, k.vars.node, k.vars.instance, k.vars.kubelet],
  panels=[
    p.row('Overview'),
    p.stat('CPU used', [k.instant('1 - avg(%s)' % rate('node_cpu_seconds_total', ', mode="idle"'))], unit='percentunit', warn=0.7, bad=0.9, w=4),
    p.stat(
      'Memory used',
      [k.instant('1 - sum(node_memory_MemAvailable_bytes{%(n)s}) / sum(node_memory_MemTotal_bytes{%(n)s})' % { n: n })],
      unit='percentunit',
      warn=0.7,
      bad=0.9,
      w=4,
    ),
    p.stat('CPUs', [k.instant('count(node_cpu_seconds_total{%s, mode="idle"})' % n)], w=4),
    p.stat('Memory', [k.instant('sum(node_memory_MemTotal_bytes{%s})' % n)], unit='bytes', w=4),
    p.stat('Uptime', [k.instant('time() - max(node_boot_time_seconds{%s})' % n)], unit='s', w=4),
    p.stat('Pods', [k.instant('count(kube_pod_info{%s, node=~"$node"})' % s.cluster)], w=4),
    p.row('CPU'),
    p.timeseries(
      'CPU utilisation by mode',
      [k.q('sum by (mode) (%s) / scalar(count(node_cpu_seconds_total{%s, mode="idle"}))' % [rate('node_cpu_seconds_total', ', mode!="idle"'), n], '{{mode}}')],
      unit='percentunit',
      stack=true,
      max=1,
    ),
    p.timeseries(
      'CPU saturation',
      [
        k.q('sum(node_load1{%(n)s}) / count(node_cpu_seconds_total{%(n)s, mode="idle"})' % { n: n }, 'load 1m per CPU'),
        k.q('sum(node_load15{%(n)s}) / count(node_cpu_seconds_total{%(n)s, mode="idle"})' % { n: n }, 'load 15m per CPU'),
        k.q('sum(%s)' % rate('node_pressure_cpu_waiting_seconds_total'), 'pressure (waiting)'),
      ],
      description='Load per CPU above 1, or time tasks spent waiting for a CPU (pressure stall information).',
    ),
    p.row('Memory'),
    p.timeseries(
      'Memory utilisation',
      [
        k.q('sum(node_memory_MemTotal_bytes{%(n)s}) - sum(node_memory_MemAvailable_bytes{%(n)s})' % { n: n }, 'used'),
        k.q('sum(node_memory_Cached_bytes{%s})' % n, 'page cache'),
        k.q('sum(node_memory_Buffers_bytes{%s})' % n, 'buffers'),
        k.q('sum(node_memory_MemTotal_bytes{%s})' % n, 'total'),
      ],
      unit='bytes',
    ),
    p.timeseries(
      'Memory saturation',
      [
        k.q('sum(%s)' % rate('node_vmstat_pgmajfault'), 'major page faults/s'),
        k.q('sum(%s)' % rate('node_pressure_memory_waiting_seconds_total'), 'pressure (waiting)'),
        k.q('sum(rate(node_vmstat_oom_kill{%s}[$__rate_interval]))' % n, 'OOM kills/s'),
      ],
      description='Major page faults read from disk what memory could not keep; OOM kills end processes for lack of memory.',
    ),
    p.row('Disk'),
    p.timeseries(
      'Disk utilisation',
      [k.q('sum by (device) (%s)' % rate('node_disk_io_time_seconds_total', disks), '{{device}}')],
      description='Share of time each device was busy.',
      unit='percentunit',
      max=1,
    ),
    p.timeseries(
      'Disk saturation',
      [k.q('sum by (device) (%s)' % rate('node_disk_io_time_weighted_seconds_total', disks), '{{device}}')],
      description='Average number of I/O requests in flight or queued.',
    ),
    p.timeseries(
      'Disk throughput',
      [
        k.q('sum by (device) (%s)' % rate('node_disk_read_bytes_total', disks), '{{device}} read'),
        k.q('sum by (device) (%s)' % rate('node_disk_written_bytes_total', disks), '{{device}} written'),
      ],
      unit='Bps',
    ),
    p.timeseries(
      'Filesystem space used',
      [
        k.q(
          '1 - max by (mountpoint) (node_filesystem_avail_bytes{%(n)s%(f)s}) / max by (mountpoint) (node_filesystem_size_bytes{%(n)s%(f)s})'
          % { n: n, f: filesystems },
          '{{mountpoint}}',
        ),
      ],
      unit='percentunit',
      max=1,
    ),
    p.row('Network'),
    p.timeseries(
      'Network utilisation',
      [
        k.q('sum by (device) (%s)' % rate('node_network_receive_bytes_total', interfaces), '{{device}} received'),
        k.q('sum by (device) (%s)' % rate('node_network_transmit_bytes_total', interfaces), '{{device}} transmitted'),
      ],
      unit='Bps',
    ),
    p.timeseries(
      'Network saturation and errors',
      [
        k.q('sum by (device) (%s)' % rate('node_network_receive_drop_total', interfaces), '{{device}} receive drops'),
        k.q('sum by (device) (%s)' % rate('node_network_transmit_drop_total', interfaces), '{{device}} transmit drops'),
        k.q('sum by (device) (%s)' % rate('node_network_receive_errs_total', interfaces), '{{device}} receive errors'),
        k.q('sum by (device) (%s)' % rate('node_network_transmit_errs_total', interfaces), '{{device}} transmit errors'),
      ],
      unit='pps',
    ),
    p.row('Pods'),
    p.table(
      'Pods on the node',
      [
        k.table('max by (namespace, pod) (kube_pod_info{%s, node=~"$node"})' % s.cluster),
        k.table(
          'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{%s, instance=~"$kubelet"}[$__rate_interval]))' % s.containers
        ),
        k.table('sum by (namespace, pod) (container_memory_working_set_bytes{%s, instance=~"$kubelet"})' % s.containers),
      ],
      [
        { field: 'namespace', title: 'Namespace' },
        { field: 'pod', title: 'Pod', link: k.links.pod('${__data.fields.namespace}', '${__data.fields.pod}') },
        { field: 'Value #B', title: 'CPU', unit: 'short' },
        { field: 'Value #C', title: 'Memory', unit: 'bytes' },
      ],
      sortBy='CPU',
    ),
  ],
)
