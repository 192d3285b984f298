// Panel targets. A panel numbers its targets (refId A, B, ...) itself.
local ds = import 'datasources.libsonnet';

{
  // A PromQL range query. `legend` is a Grafana legend template such as '{{service}}'.
  // `datasource` is the fixed Prometheus unless a dashboard selects one with a variable.
  prometheus(expr, legend='__auto', exemplars=false, datasource=ds.prometheus):: {
    datasource: datasource,
    editorMode: 'code',
    expr: expr,
    legendFormat: legend,
    range: true,
    instant: false,
    exemplar: exemplars,
  },

  // A PromQL instant query, for stats and tables.
  prometheusInstant(expr, legend='__auto', datasource=ds.prometheus)::
    self.prometheus(expr, legend, datasource=datasource) { range: false, instant: true },

  // A PromQL instant query as table rows: one row per series, its labels as columns and its
  // value as `Value #<refId>`.
  prometheusTable(expr, datasource=ds.prometheus)::
    self.prometheusInstant(expr, datasource=datasource) { format: 'table', legendFormat: '' },

  // A LogQL query returning log lines (or, for a metric query, series).
  loki(expr, legend=''):: {
    datasource: ds.loki,
    editorMode: 'code',
    expr: expr,
    legendFormat: legend,
    queryType: 'range',
  },

  // A TraceQL search listing matching traces.
  tempoSearch(query, limit=20):: {
    datasource: ds.tempo,
    queryType: 'traceql',
    query: query,
    limit: limit,
    tableType: 'traces',
  },
}
