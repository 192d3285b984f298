// A dashboard: places its panels on Grafana's 24-column grid, numbers them, and tags the
// dashboard with its folder, which decides where Grafana files it.
local place(state, panel) =
  if panel.type == 'row' then
    local y = state.y + state.height;
    state {
      x: 0,
      y: y + 1,
      height: 0,
      id: state.id + 1,
      placed+: [panel { id: state.id, gridPos: { h: 1, w: 24, x: 0, y: y } }],
    }
  else
    local w = panel.gridPos.w;
    local h = panel.gridPos.h;
    local wraps = state.x + w > 24;
    local x = if wraps then 0 else state.x;
    local y = if wraps then state.y + state.height else state.y;
    state {
      x: x + w,
      y: y,
      height: if wraps then h else std.max(state.height, h),
      id: state.id + 1,
      placed+: [panel { id: state.id, gridPos: { h: h, w: w, x: x, y: y } }],
    };

{
  folders:: ['Kubernetes', 'Platform', 'Services'],

  // `links` are the dashboard's own links, shown above its panels (see `tagLinks`).
  new(uid, title, folder, panels, description='', tags=[], variables=[], links=[], time='now-1h', refresh='30s')::
    assert std.member(self.folders, folder) : 'folder must be one of %s, not %s' % [self.folders, folder];
    {
      uid: uid,
      title: title,
      description: description,
      tags: [std.asciiLower(folder)] + tags,
      // Git is the source of truth: changes made in the UI could not be saved anyway.
      editable: false,
      graphTooltip: 1,
      timezone: 'browser',
      time: { from: time, to: 'now' },
      refresh: refresh,
      schemaVersion: 41,
      version: 1,
      links: links,
      annotations: { list: [] },
      templating: { list: variables },
      panels: std.foldl(place, panels, { x: 0, y: 0, height: 0, id: 1, placed: [] }).placed,
    },

  // A menu of every dashboard tagged `tag`, passing on the time range and variables. Links
  // by tag never dangle: a dashboard that does not ship is not in the menu.
  tagLinks(tag, title):: {
    title: title,
    type: 'dashboards',
    tags: [tag],
    asDropdown: true,
    includeVars: true,
    keepTime: true,
    targetBlank: false,
    icon: 'external link',
    tooltip: '',
    url: '',
  },
}
