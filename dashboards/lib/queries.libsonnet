// Panel targets. A panel numbers its targets (refId A, B, ...) itself.
local ds = import 'datasources.libsonnet';

{
  // A PromQL range query. `legend` is a Grafana legend template such as '{{service}}'.
  prometheus(expr, legend='__auto', exemplars=false):: {
    datasource: ds.prometheus,
    editorMode: 'code',
    expr: expr,
    legendFormat: legend,
    range: true,
    instant: false,
    exemplar: exemplars,
  },

  // A PromQL instant query, for stats and tables.
  prometheusInstant(expr, legend='__auto'):: self.prometheus(expr, legend) { range: false, instant: true },

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
