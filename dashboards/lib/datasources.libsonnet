// The datasources every dashboard queries, by the fixed uids the backends declare. Grafana's
// module checks at render time that each of these uids is provisioned.
{
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  loki: { type: 'loki', uid: 'loki' },
  tempo: { type: 'tempo', uid: 'tempo' },
  // The Prometheus the dashboard's `datasource` variable selects (see variables.datasource).
  selected: { type: 'prometheus', uid: '${datasource}' },
}
