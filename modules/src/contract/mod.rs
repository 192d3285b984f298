//! The module contract: what the engine and the modules agree on.
//!
//! A render runs in two phases. First every enabled module *declares* what it offers to the
//! others (endpoints, the S3 store) and what it needs (buckets, NodePorts); the engine folds
//! the declarations into a [`Context`], rejecting duplicates. Then every module *renders* its
//! [`App`]s from its options and that context. A module that asks the context for a link no
//! one offers gets a [`ModuleError::MissingLink`] instead of a dangling URL.

pub mod alerts;
mod app;
pub mod argocd;
mod context;
mod datasource;
mod error;
pub mod exposure;
pub mod image;
pub mod istio;
pub mod k8s;
pub mod monitoring;
mod object;
pub mod promql;
pub mod ring;
pub mod ring_config;
pub mod ring_options;
mod stack;
mod tier;
mod units;
mod values;
pub mod yaml;

pub use app::{App, GroupKind, PodSecurity, Source, Wave};
pub use context::{
    BucketClaim, Context, Dashboard, Declarations, Endpoint, EnvInfo, GitSource, Link, PortClaim, ProjectFile, S3Store,
    ScrapeJob, Target, Use,
};
pub use datasource::{Correlation, Datasource, Role};
pub use error::{MAX_REPLICAS, ModuleError, OptionError, OptionErrors};
pub use object::{Object, ObjectError};
pub use stack::{Module, Stack};
pub use tier::Tier;
pub use units::{ByteSize, Duration, DurationUnit, Quantity, QuantityUnit};
pub use values::{At, DnsLabel, NodePort, Pos, ValueError};
