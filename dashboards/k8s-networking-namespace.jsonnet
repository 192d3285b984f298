// Network traffic of one namespace's pods: bytes, packets and drops. Pods link to their
// networking dashboard.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local byPod(metric) = 'sum by (pod) (rate(%s{%s, namespace=~"$namespace"}[$__rate_interval]))' % [metric, s.cadvisor];
local links = [k.links.networkingPod('$namespace', '${__field.labels.pod}')];
local series(title, metric, unit) = p.timeseries(title, [k.q(byPod(metric), '{{pod}}')], unit=unit, stack=true, links=links);

k.dashboard(
  uid='oxidy-k8s-networking-namespace',
  title='Kubernetes / Networking / Namespace',
  description="Network traffic of a namespace's pods: bytes, packets, and packets dropped.",
  tags=['networking'],
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace],
  panels=[
    p.row('Bandwidth'),
    p.stat('Received', [k.instant('sum(%s)' % byPod('container_network_receive_bytes_total'))], unit='Bps', w=6),
    p.stat('Transmitted', [k.instant('sum(%s)' % byPod('container_network_transmit_bytes_total'))], unit='Bps', w=6),
    p.stat('Received packets dropped', [k.instant('sum(%s)' % byPod('container_network_receive_packets_dropped_total'))], unit='pps', warn=1, w=6),
    p.stat('Transmitted packets dropped', [k.instant('sum(%s)' % byPod('container_network_transmit_packets_dropped_total'))], unit='pps', warn=1, w=6),
    series('Received by pod', 'container_network_receive_bytes_total', 'Bps'),
    series('Transmitted by pod', 'container_network_transmit_bytes_total', 'Bps'),
    p.table(
      'Pods',
      [
        k.table(byPod('container_network_receive_bytes_total')),
        k.table(byPod('container_network_transmit_bytes_total')),
        k.table(byPod('container_network_receive_packets_dropped_total')),
        k.table(byPod('container_network_transmit_packets_dropped_total')),
      ],
      [
        { field: 'pod', title: 'Pod', link: k.links.networkingPod('$namespace', '${__data.fields.pod}') },
        { field: 'Value #A', title: 'Received', unit: 'Bps' },
        { field: 'Value #B', title: 'Transmitted', unit: 'Bps' },
        { field: 'Value #C', title: 'Received dropped', unit: 'pps' },
        { field: 'Value #D', title: 'Transmitted dropped', unit: 'pps' },
      ],
      sortBy='Received',
    ),
    p.row('Packets'),
    series('Packets received', 'container_network_receive_packets_total', 'pps'),
    series('Packets transmitted', 'container_network_transmit_packets_total', 'pps'),
    series('Received packets dropped', 'container_network_receive_packets_dropped_total', 'pps'),
    series('Transmitted packets dropped', 'container_network_transmit_packets_dropped_total', 'pps'),
  ],
)
