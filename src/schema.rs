//! The JSON Schema of env files, for editors (`# yaml-language-server: $schema=...`).

use schemars::generate::SchemaSettings;

use oxidy_modules::contract::Stack;

use crate::envfile::EnvFile;

/// The schema as pretty JSON, ending in a newline. Draft 7, which every YAML editor reads.
pub fn env_schema<S: Stack>() -> String {
    let schema = SchemaSettings::draft07().into_generator().into_root_schema_for::<EnvFile<S>>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
