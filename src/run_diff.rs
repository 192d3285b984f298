//! `oxidy diff` (against the committed tree, or `--between` two environments) and the
//! per-file lines of `-v`, printed as text or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::between;
use crate::compare;
use crate::diff::{DiffMode, TreeDiff};
use crate::error::Error;
use crate::pipeline::RenderedEnv;
use crate::presentation::{Format, Presentation};
use crate::project::{Project, SCHEMA_FILE};
use crate::report;
use crate::run::{GENERATED, Outcome, count, render_hint, strays};

/// `oxidy diff --between`: how `b` differs from `a`, object by object.
pub(crate) fn between(
    a: &RenderedEnv,
    b: &RenderedEnv,
    mode: DiffMode,
    how: &Presentation,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let mut between = between::compare(a, b)?;
    let outcome = if between.is_empty() { Outcome::Ok } else { Outcome::Drift };
    if how.format == Format::Json {
        if mode != DiffMode::Patch {
            between.changed.iter_mut().for_each(|c| c.patch.clear());
        }
        let report = report::BetweenReport { version: report::VERSION, between };
        let _ = out.write_all(report::pretty(&report).as_bytes());
    } else {
        let _ = out.write_all(between.text(mode, how.paint()).as_bytes());
    }
    Ok(outcome)
}

/// `oxidy diff`: what a render of `rendered` would change, app by app; the files no
/// environment writes (which a render leaves) are named after it.
pub(crate) fn diff(
    project: &Project,
    rendered: &[RenderedEnv],
    roots: &[PathBuf],
    schema: &str,
    mode: DiffMode,
    how: &Presentation,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let mut changes = TreeDiff::default();
    for env in rendered {
        let committed = compare::read_tree(&project.root.join(&env.output_root))?;
        changes.tree(&env.name, &env.output_root, &committed, &env.layout.files);
    }
    let committed_schema = crate::drift::committed_file(&project.root, Path::new(SCHEMA_FILE));
    changes.single(Path::new(SCHEMA_FILE), committed_schema.as_deref(), schema);
    let (orphans, _) = strays(project, roots);
    let outcome = if changes.is_empty() { Outcome::Ok } else { Outcome::Drift };
    if how.format == Format::Json {
        if mode != DiffMode::Patch {
            changes.apps.iter_mut().flat_map(|a| &mut a.files).for_each(|f| f.patch.clear());
        }
        let totals = changes.counts();
        let report = report::DiffReport {
            version: report::VERSION,
            environments: rendered.iter().map(|r| r.name.clone()).collect(),
            added: totals.added,
            changed: totals.changed,
            removed: totals.removed,
            fix: (!changes.is_empty()).then(|| render_hint(project, rendered)),
            apps: changes.apps,
            orphans: orphans.iter().map(|o| o.display().to_string()).collect(),
        };
        let _ = out.write_all(report::pretty(&report).as_bytes());
        return Ok(outcome);
    }
    let _ = out.write_all(changes.text(mode, how.paint()).as_bytes());
    if mode != DiffMode::NameOnly {
        let _ = writeln!(out, "{}", diff_summary(project, rendered, &changes, mode));
        if !orphans.is_empty() {
            let _ = writeln!(
                out,
                "note: {} below {GENERATED}/ no environment writes ({}{}); a render leaves {them}, `oxidy render --prune-orphans` deletes {them}",
                count(orphans.len(), "file", "files"),
                orphans[0].display(),
                if orphans.len() > 1 { ", ..." } else { "" },
                them = if orphans.len() == 1 { "it" } else { "them" },
            );
        }
    }
    Ok(outcome)
}

/// The last line of `oxidy diff`: nothing to do, or the totals and the command that writes them.
fn diff_summary(project: &Project, rendered: &[RenderedEnv], changes: &TreeDiff, mode: DiffMode) -> String {
    if changes.is_empty() {
        let files: usize = rendered.iter().map(|r| r.layout.files.len()).sum();
        return format!(
            "no differences: {}, {}",
            count(rendered.len(), "environment", "environments"),
            count(files, "file", "files")
        );
    }
    let lines = if mode == DiffMode::Stat {
        let files = changes.apps.iter().flat_map(|a| &a.files);
        let (plus, minus) = files.fold((0, 0), |(p, m), f| (p + f.insertions, m + f.deletions));
        format!(", {} (+), {} (-)", count(plus, "insertion", "insertions"), count(minus, "deletion", "deletions"))
    } else {
        String::new()
    };
    format!(
        "diff: {} in {}{lines}; `{}` writes them",
        changes.counts(),
        count(changes.apps.len(), "app", "apps"),
        render_hint(project, rendered)
    )
}

/// `-v`: a line per file of `rendered`, saying what a render does to it: `unchanged`, `added`,
/// `changed` or `removed`, then its path.
pub(crate) fn file_lines(project: &Project, rendered: &[RenderedEnv]) -> Result<String, Error> {
    let mut out = String::new();
    for env in rendered {
        let committed = compare::read_tree(&project.root.join(&env.output_root))?;
        let mut paths: Vec<&PathBuf> = env.layout.files.keys().chain(committed.keys()).collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let what = match (committed.get(path), env.layout.files.get(path)) {
                (None, _) => "added",
                (_, None) => "removed",
                (Some(old), Some(new)) if old != new.as_bytes() => "changed",
                _ => "unchanged",
            };
            out.push_str(&format!("{what:>9} {}\n", env.output_root.join(path).display()));
        }
    }
    Ok(out)
}
