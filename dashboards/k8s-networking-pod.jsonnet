// Network traffic of one pod, by interface: bytes, packets, drops and errors.
local g = import 'grafana.libsonnet';
local k = g.kubernetes;
local p = g.panels;
local s = k.sel;

local byInterface(metric) =
  'sum by (interface) (rate(%s{%s, namespace=~"$namespace", pod=~"$pod"}[$__rate_interval]))' % [metric, s.cadvisor];
local series(title, metric, unit) = p.timeseries(title, [k.q(byInterface(metric), '{{interface}}')], unit=unit);

k.dashboard(
  uid='oxidy-k8s-networking-pod',
  title='Kubernetes / Networking / Pod',
  description="A pod's network traffic by interface: bytes, packets, drops and errors.",
  tags=['networking'],
  variables=[k.vars.datasource, k.vars.cluster, k.vars.namespace, k.vars.pod],
  panels=[
    p.row('Bandwidth'),
    p.stat('Received', [k.instant('sum(%s)' % byInterface('container_network_receive_bytes_total'))], unit='Bps', w=6),
    p.stat('Transmitted', [k.instant('sum(%s)' % byInterface('container_network_transmit_bytes_total'))], unit='Bps', w=6),
    p.stat(
      'Errors',
      [
        k.instant(
          'sum(%s) + sum(%s)' % [byInterface('container_network_receive_errors_total'), byInterface('container_network_transmit_errors_total')]
        ),
      ],
      unit='pps',
      warn=0.01,
      w=6,
    ),
    p.stat(
      'Pod',
      [k.instant('max by (namespace, pod) (kube_pod_info{%s, pod=~"$pod"})' % s.namespace, '{{pod}}')],
      links=[k.links.pod('$namespace', '$pod')],
      w=6,
    ) { options+: { textMode: 'name' } },
    series('Received', 'container_network_receive_bytes_total', 'Bps'),
    series('Transmitted', 'container_network_transmit_bytes_total', 'Bps'),
    p.row('Packets'),
    series('Packets received', 'container_network_receive_packets_total', 'pps'),
    series('Packets transmitted', 'container_network_transmit_packets_total', 'pps'),
    series('Received packets dropped', 'container_network_receive_packets_dropped_total', 'pps'),
    series('Transmitted packets dropped', 'container_network_transmit_packets_dropped_total', 'pps'),
    series('Receive errors', 'container_network_receive_errors_total', 'pps'),
    series('Transmit errors', 'container_network_transmit_errors_total', 'pps'),
  ],
)
