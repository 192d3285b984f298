//! `components.<name>.argocd`: the Argo CD settings of the platform's apps, checked like an own
//! app's (`apps::check_settings`) and rendered by the same code (`argocd::application`).

use std::collections::{BTreeMap, BTreeSet};

use oxidy_modules::contract::{App, Stack};

use crate::apps;
use crate::argocd::AppOptions;
use crate::error::Error;
use crate::pipeline::LoadedEnv;

/// The settings of every platform app, by app name: a component's settings apply to each of
/// its apps. A sync wave may only be set for a component whose apps share one wave, since one
/// number for all would merge their order (CRDs before the resources that need them).
pub fn options<S: Stack>(env: &LoadedEnv<S>, platform: &[App]) -> Result<BTreeMap<String, AppOptions>, Error> {
    let mut options = BTreeMap::new();
    let mut problems = Vec::new();
    for (key, settings) in env.spec.components.argocd() {
        let prefix = format!("components.{key}.argocd");
        problems.extend(apps::check_settings(&env.file, &env.text, &prefix, settings));
        let own: Vec<&App> = platform.iter().filter(|a| a.module == key).collect();
        let waves: BTreeSet<i32> = own.iter().map(|a| a.wave.number()).collect();
        if let Some(wave) = settings.sync_wave.as_ref().filter(|_| waves.len() > 1) {
            let names: Vec<&str> = own.iter().map(|a| a.name.as_str()).collect();
            let mut d = apps::diagnostic(
                &env.file,
                &env.text,
                wave.pos.map_or(0, |p| p.line),
                Some(format!("{prefix}.syncWave")),
                format!(
                    "`{key}` renders apps in different sync waves ({}): one wave for all would merge their order",
                    names.join(", ")
                ),
                Some("leave the wave to oxidy for this component; the other settings apply to each app".into()),
            );
            d.pos = wave.pos.or(d.pos);
            problems.push(d);
            continue;
        }
        for app in own {
            options.insert(app.name.clone(), AppOptions { settings: settings.clone(), ..Default::default() });
        }
    }
    if problems.is_empty() { Ok(options) } else { Err(Error::Invalid(problems)) }
}
