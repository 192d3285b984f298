//! Dashboards: `dashboards/*.jsonnet`, compiled once per run for every environment.

use oxidy_modules::contract::Dashboard;

use crate::error::Error;
use crate::project::Project;

/// Compiles every `dashboards/*.jsonnet` (not the library under `dashboards/lib/`).
pub fn compile(_project: &Project) -> Result<Vec<Dashboard>, Error> {
    Ok(Vec::new())
}
