//! oxidy's engine: environment files in, an Argo CD-ready tree out.
//!
//! The engine is generic over a [`Stack`](oxidy_modules::contract::Stack) and never names a
//! module. See the README's Architecture section for the code map and invariants.

pub mod apps;
pub mod argocd;
pub mod between;
pub mod cache;
pub mod cli;
pub mod compare;
pub mod component_argocd;
pub mod dashboards;
pub mod diff;
pub mod drift;
pub mod envfile;
pub mod error;
pub mod explain;
pub mod fault;
pub mod graph;
pub mod helm;
pub mod input;
pub mod inventory;
pub mod jsonnet;
pub mod layout;
pub mod lock;
pub mod manual;
pub mod network;
pub mod output;
pub mod overrides;
pub mod parallel;
pub mod pipeline;
pub mod policy;
pub mod presentation;
pub mod progress;
pub mod project;
pub mod reference;
pub mod report;
pub mod rule_files;
pub mod run;
pub mod run_diff;
pub mod run_explain;
pub mod schema;
pub mod suggest;
