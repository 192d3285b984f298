// The house library: `local g = import 'grafana.libsonnet';` in a dashboard.
{
  dashboard: import 'dashboard.libsonnet',
  panels: import 'panels.libsonnet',
  queries: import 'queries.libsonnet',
  variables: import 'variables.libsonnet',
  datasources: import 'datasources.libsonnet',
  kubernetes: import 'kubernetes.libsonnet',
}
