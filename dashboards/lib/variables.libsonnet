// Template variables.
local ds = import 'datasources.libsonnet';

{
  // Values of `label` on the series `metric`: `$name` in queries. `hide` is 0 (shown), 1
  // (value only) or 2 (hidden, for variables other variables derive).
  labelValues(
    name,
    label,
    metric,
    title=null,
    multi=false,
    includeAll=false,
    allValue='.+',
    datasource=ds.prometheus,
    hide=0,
  ):: {
    local query = 'label_values(%s, %s)' % [metric, label],
    name: name,
    label: if title == null then name else title,
    type: 'query',
    datasource: datasource,
    definition: query,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 },
    refresh: 2,
    sort: 1,
    multi: multi,
    includeAll: includeAll,
    allValue: if includeAll then allValue else null,
    current: {},
    options: [],
    regex: '',
    hide: hide,
  },

  // The Prometheus datasource queries go to (`ds.selected`); the platform's own by default.
  datasource(name='datasource', title='Data source'):: {
    name: name,
    label: title,
    type: 'datasource',
    query: 'prometheus',
    current: { text: 'Prometheus', value: ds.prometheus.uid },
    options: [],
    regex: '',
    refresh: 1,
    hide: 0,
  },

  // A fixed list of choices, each `[text, value]`; the first is selected.
  custom(name, choices, title=null):: {
    name: name,
    label: if title == null then name else title,
    type: 'custom',
    query: std.join(', ', ['%s : %s' % c for c in choices]),
    current: { text: choices[0][0], value: choices[0][1] },
    options: [
      { text: c[0], value: c[1], selected: c == choices[0] }
      for c in choices
    ],
    multi: false,
    includeAll: false,
    hide: 0,
  },
}
