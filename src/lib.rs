//! oxidy's engine: environment files in, an Argo CD-ready tree out.
//!
//! The engine is generic over a [`Stack`](oxidy_modules::contract::Stack) and never names a
//! module. See the README's Architecture section for the code map and invariants.

pub mod apps;
pub mod argocd;
pub mod cli;
pub mod component_argocd;
pub mod dashboards;
pub mod drift;
pub mod envfile;
pub mod error;
pub mod fault;
pub mod helm;
pub mod input;
pub mod inventory;
pub mod jsonnet;
pub mod layout;
pub mod lock;
pub mod network;
pub mod output;
pub mod overrides;
pub mod pipeline;
pub mod policy;
pub mod project;
pub mod rule_files;
pub mod run;
pub mod schema;
pub mod suggest;
