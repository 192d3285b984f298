// Template variables.
local ds = import 'datasources.libsonnet';

{
  // Values of `label` on the series `metric`: `$name` in queries.
  labelValues(name, label, metric, title=null, multi=false, includeAll=false):: {
    local query = 'label_values(%s, %s)' % [metric, label],
    name: name,
    label: if title == null then name else title,
    type: 'query',
    datasource: ds.prometheus,
    definition: query,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 },
    refresh: 2,
    sort: 1,
    multi: multi,
    includeAll: includeAll,
    allValue: if includeAll then '.+' else null,
    current: {},
    options: [],
    regex: '',
    hide: 0,
  },
}
