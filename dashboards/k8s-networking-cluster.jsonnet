// Pod network traffic across the cluster, by namespace: bytes, packets and drops. Namespaces
// link to their networking dashboard.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local byNamespace(metric) = 'sum by (namespace) (rate(%s{%s}[$__rate_interval]))' % [metric, s.cadvisor];
local links = [k.links.networkingNamespace('${__field.labels.namespace}')];
local series(title, metric, unit) = p.timeseries(title, [k.q(byNamespace(metric), '{{namespace}}')], unit=unit, stack=true, links=links);

k.dashboard(
  uid='oxidy-k8s-networking-cluster',
  title='Kubernetes / Networking / Cluster',
  description='Pod network traffic across the cluster by namespace: bytes, packets, and packets dropped.',
  tags=['networking'],
  variables=[k.vars.datasource, k.vars.cluster],
  panels=[
    p.row('Bandwidth'),
    p.stat('Received', [k.instant('sum(%s)' % byNamespace('container_network_receive_bytes_total'))], unit='Bps', w=6),
    p.stat('Transmitted', [k.instant('sum(%s)' % byNamespace('container_network_transmit_bytes_total'))], unit='Bps', w=6),
    p.stat('Received packets dropped', [k.instant('sum(%s)' % byNamespace('container_network_receive_packets_dropped_total'))], unit='pps', warn=1, w=6),
    p.stat('Transmitted packets dropped', [k.instant('sum(%s)' % byNamespace('container_network_transmit_packets_dropped_total'))], unit='pps', warn=1, w=6),
    series('Received by namespace', 'container_network_receive_bytes_total', 'Bps'),
    series('Transmitted by namespace', 'container_network_transmit_bytes_total', 'Bps'),
    p.table(
      'Namespaces',
      [
        k.table(byNamespace('container_network_receive_bytes_total')),
        k.table(byNamespace('container_network_transmit_bytes_total')),
        k.table(byNamespace('container_network_receive_packets_total')),
        k.table(byNamespace('container_network_transmit_packets_total')),
        k.table(byNamespace('container_network_receive_packets_dropped_total')),
        k.table(byNamespace('container_network_transmit_packets_dropped_total')),
      ],
      [
        { field: 'namespace', title: 'Namespace', link: k.links.networkingNamespace('${__data.fields.namespace}') },
        { field: 'Value #A', title: 'Received', unit: 'Bps' },
        { field: 'Value #B', title: 'Transmitted', unit: 'Bps' },
        { field: 'Value #C', title: 'Packets received', unit: 'pps' },
        { field: 'Value #D', title: 'Packets transmitted', unit: 'pps' },
        { field: 'Value #E', title: 'Received dropped', unit: 'pps' },
        { field: 'Value #F', title: 'Transmitted dropped', unit: 'pps' },
      ],
      sortBy='Received',
    ),
    p.row('Packets'),
    series('Packets received', 'container_network_receive_packets_total', 'pps'),
    series('Packets transmitted', 'container_network_transmit_packets_total', 'pps'),
    series('Received packets dropped', 'container_network_receive_packets_dropped_total', 'pps'),
    series('Transmitted packets dropped', 'container_network_transmit_packets_dropped_total', 'pps'),
    p.row('Nodes'),
    p.timeseries(
      'TCP retransmits by node',
      [
        k.q(
          'sum by (node) (%s)' % k.onNode('rate(node_netstat_Tcp_RetransSegs{%(c)s}[$__rate_interval]) / rate(node_netstat_Tcp_OutSegs{%(c)s}[$__rate_interval])' % { c: s.cluster }),
          '{{node}}',
        ),
      ],
      description='Share of TCP segments sent again: a sign of loss or congestion on the path.',
      unit='percentunit',
    ),
    p.timeseries(
      'Conntrack table use by node',
      [
        k.q(
          'max by (node) (%s)' % k.onNode('node_nf_conntrack_entries{%(c)s} / node_nf_conntrack_entries_limit{%(c)s}' % { c: s.cluster }),
          '{{node}}',
        ),
      ],
      description='When the table is full, the node drops new connections.',
      unit='percentunit',
      max=1,
    ),
  ],
)
