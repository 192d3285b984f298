//! Every YAML document a render of the repository's environments writes (each object, and
//! each config file a module embeds in one) is byte for byte what serde-saphyr writes: the
//! writer is held to it document by document while all envs render.

use oxidy::project::Project;
use oxidy_modules::Platform;
use oxidy_modules::contract::yaml::oracle;

#[test]
fn every_rendered_document_is_what_serde_saphyr_writes() {
    // Only this test runs in this process, so every document counted below is one of its own.
    oracle::enable();
    let project = Project::new(env!("CARGO_MANIFEST_DIR"));
    let envs = project.env_names().expect("environments");
    assert_eq!(envs.len(), 3, "the repository's three environments");
    // A difference fails the render with the first differing line of both texts.
    let rendered = oxidy::run::render_all::<Platform>(&project, &envs).unwrap_or_else(|e| panic!("{}", e.report()));
    let objects: usize = rendered.iter().map(|env| env.layout.objects).sum();
    let (compared, fell_back) = oracle::counts();
    assert!(compared > objects, "{compared} documents compared for {objects} objects and the embedded config files");
    assert_eq!(
        fell_back, 0,
        "every document the render writes goes through the writer, none falls back to serde-saphyr"
    );
}
