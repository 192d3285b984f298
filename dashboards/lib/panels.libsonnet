// Panels. Each takes its size as `w` (of 24 columns) and `h`; the dashboard places them
// left to right and top to bottom and numbers them.
local ds = import 'datasources.libsonnet';

local numbered(targets) = [
  targets[i] { refId: std.char(std.codepoint('A') + i) }
  for i in std.range(0, std.length(targets) - 1)
];

local panel(type, title, description, targets, w, h) = {
  type: type,
  title: title,
  description: description,
  // A panel queries one datasource: that of its first target.
  datasource: targets[0].datasource,
  targets: numbered(targets),
  gridPos: { w: w, h: h },
};

local thresholds(steps) = {
  mode: 'absolute',
  steps: [{ color: 'green', value: null }] + [{ color: s[0], value: s[1] } for s in steps],
};

{
  // A row header; the panels after it, up to the next row, belong to it.
  row(title):: { type: 'row', title: title, collapsed: false, panels: [], gridPos: { w: 24, h: 1 } },

  // Series over time. `stack` stacks them (for parts of a whole, such as rates per signal).
  // `links` are data links (see `link`), offered when a point is clicked.
  timeseries(title, targets, unit='short', description='', stack=false, min=null, max=null, links=[], w=12, h=8)::
    panel('timeseries', title, description, targets, w, h) {
      fieldConfig: {
        defaults: {
          unit: unit,
          [if min != null then 'min']: min,
          [if max != null then 'max']: max,
          [if links != [] then 'links']: links,
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: if stack then 25 else 10,
            showPoints: 'never',
            stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  // One number. `warn` and `bad` colour it from those values up.
  stat(title, targets, unit='short', description='', warn=null, bad=null, links=[], w=6, h=4)::
    panel('stat', title, description, targets, w, h) {
      fieldConfig: {
        defaults: {
          unit: unit,
          [if links != [] then 'links']: links,
          thresholds: thresholds(
            (if warn == null then [] else [['orange', warn]]) + (if bad == null then [] else [['red', bad]])
          ),
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        textMode: 'auto',
      },
    },

  // Rows of instant queries (`queries.prometheusTable`), merged on their common labels.
  // `columns` lists what is shown, in order: `{ field, title, unit, link }`, where `field` is a
  // label or `Value #<refId>` and every other key is optional; `link` is a `link(...)`.
  table(title, targets, columns, description='', sortBy=null, w=24, h=8)::
    local fields = [c.field for c in columns];
    panel('table', title, description, targets, w, h) {
      fieldConfig: {
        defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' } } },
        overrides: [
          {
            matcher: { id: 'byName', options: c.field },
            properties:
              (if std.objectHas(c, 'title') then [{ id: 'displayName', value: c.title }] else [])
              + (if std.objectHas(c, 'unit') then [{ id: 'unit', value: c.unit }] else [])
              + (if std.objectHas(c, 'link') then [{ id: 'links', value: [c.link] }] else []),
          }
          for c in columns
          if std.length(std.objectFields(c)) > 1
        ],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        [if sortBy != null then 'sortBy']: [{ displayName: sortBy, desc: true }],
      },
      transformations: [
        { id: 'merge', options: {} },
        { id: 'filterFieldsByName', options: { include: { names: fields } } },
        { id: 'organize', options: { indexByName: { [fields[i]]: i for i in std.range(0, std.length(fields) - 1) } } },
      ],
    },

  // A data link to another dashboard by uid, keeping the time range. `params` are URL query
  // parameters such as `var-namespace=${__field.labels.namespace}`.
  link(title, uid, params=[]):: {
    title: title,
    url: '/d/%s?%s' % [uid, std.join('&', params + ['${__url_time_range}'])],
  },

  // Fill level of a bounded quantity (0 to 1, as `percentunit`).
  gauge(title, targets, description='', w=6, h=6)::
    panel('gauge', title, description, targets, w, h) {
      fieldConfig: {
        defaults: { unit: 'percentunit', min: 0, max: 1, thresholds: thresholds([['orange', 0.75], ['red', 0.9]]) },
        overrides: [],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } },
    },

  // Log lines from a LogQL query.
  logs(title, query, description='', w=24, h=10)::
    panel('logs', title, description, [query], w, h) {
      options: {
        showTime: true,
        wrapLogMessage: true,
        sortOrder: 'Descending',
        enableLogDetails: true,
        dedupStrategy: 'none',
      },
    },

  // Traces matching a TraceQL search, each linking to its trace view.
  traces(title, query, description='', w=24, h=10)::
    panel('table', title, description, [query], w, h) {
      options: { showHeader: true, cellHeight: 'sm' },
      fieldConfig: { defaults: {}, overrides: [] },
    },
}
