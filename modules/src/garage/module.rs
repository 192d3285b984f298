//! Garage as a module: the object store it offers the others, and the apps it renders.

use crate::contract::{
    App, Context, Declarations, Endpoint, EnvInfo, Link, Module, ModuleError, OptionError, S3Store, Wave,
};

use super::options::Garage;
use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, S3_PORT, alerts, objects, setup};

/// Garage in the composition root.
pub(crate) struct GarageModule;

impl Module for GarageModule {
    const KEY: &'static str = "garage";
    const PROVIDES: &'static [Link] = &[Link::ObjectStoreS3, Link::ObjectStoreRpc, Link::ObjectStoreAdmin];
    type Options = Garage;
    type Resolved = Resolved;

    fn enabled(options: &Garage) -> bool {
        options.enabled != Some(false)
    }

    fn resolve(options: &Garage, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        options.resolve(env)
    }

    fn declare(r: &Resolved, decl: &mut Declarations) {
        decl.provide_rules(Self::KEY, alerts::rule_set());
        // Its ServiceMonitor scrapes the admin port, which only this Service has.
        decl.provide_scrape_job(Self::KEY, objects::ADMIN_SERVICE, r.namespace.clone());
        let endpoint = |service: &str, port: u16, port_name: &str| Endpoint {
            service: service.into(),
            namespace: r.namespace.clone(),
            port,
            port_name: port_name.into(),
            scheme: "http",
        };
        decl.provide(Self::KEY, Link::ObjectStoreS3, endpoint(objects::S3_SERVICE, S3_PORT, "s3"));
        decl.provide(Self::KEY, Link::ObjectStoreRpc, endpoint(objects::RPC_SERVICE, RPC_PORT, "rpc"));
        decl.provide(Self::KEY, Link::ObjectStoreAdmin, endpoint(objects::ADMIN_SERVICE, ADMIN_PORT, "admin"));
        decl.provide_s3(
            Self::KEY,
            S3Store {
                endpoint: endpoint(objects::S3_SERVICE, S3_PORT, "s3"),
                region: r.region.clone(),
                credentials_secret: r.s3_secret.clone(),
                access_key_id_key: objects::ACCESS_KEY_ID_KEY.into(),
                secret_access_key_key: objects::SECRET_ACCESS_KEY_KEY.into(),
            },
        );
        if let Some(port) = &r.s3_node_port_claim {
            decl.claim_node_port(Self::KEY, "components.garage.s3NodePort", port);
        }
    }

    fn render(r: &Resolved, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        // A metrics store scrapes the admin port: Garage does not connect to it.
        let monitored = ctx.offers(Link::MetricsQueryHttp);
        // The setup Job configures the nodes through the admin API: a use of the link, so
        // that the network policies let it (and nothing else outside Garage) in.
        ctx.endpoint(Link::ObjectStoreAdmin, Self::KEY)?;
        let mut app = App::owned(Self::KEY, Self::KEY, r.namespace.clone(), Wave::Storage);
        objects::render(r, monitored, &mut app)?;
        let setup = setup::render(r, ctx.buckets())?;
        Ok(vec![app, setup])
    }
}
