//! Builds a domain's client for a command in two steps with data between them: [`setup`] gathers credentials by
//! the spec's names from the environment or the config file, credentials a domain's customization provides (an
//! OAuth token file), the identities of `--identities` (`crate::identities`), base URL (checked), retries, timeout and
//! body limit; the generated `Client::configured` checks the required credentials (`ClientSetup::configure`);
//! [`build`] finishes the client, paced when `--identities` or `--pace-scale` asks. The generated commands reach both through `Host`
//! (`crate::host`); a new domain needs nothing here.

use std::collections::BTreeMap;

use douyin_core::{BoxFuture, ClientBuilder, Credentials, Domain, Error, Secret};

use crate::context::Ctx;
use crate::seam::ClientSetup;
use crate::support::CliError;

/// What the client of `domain` is built from: the configured value of every credential its spec declares, the
/// credentials its customization provides (`provided`), and the context's base URL, retries, timeout and body limit.
pub fn setup(
    ctx: &Ctx,
    domain: &str,
    provided: Option<Box<dyn Credentials>>,
) -> Result<ClientSetup, CliError> {
    let credentials = crate::generated::credentials(domain).unwrap_or_default();
    let values: BTreeMap<&'static str, Secret> = credentials
        .iter()
        .filter_map(|c| Some((c.name, ctx.config.credential(domain, c.name)?.clone())))
        .collect();
    let mut setup = ClientSetup::new(values, ctx.client_settings(domain)?);
    setup.provided = provided;
    let file = ctx.crawl.identities.as_deref();
    if let Some(path) = file.or_else(|| ctx.config.identities(domain)) {
        let names: Vec<&'static str> = credentials.iter().map(|c| c.name).collect();
        let flag = if file.is_some() {
            "--identities".to_owned()
        } else {
            format!("`identities` in [{domain}] of the config file:")
        };
        setup.identities = crate::identities::load(path, &flag, &names)?;
    }
    Ok(setup)
}

/// The client from `configured` (`setup.configure` over the generated `Client::configured`) and `setup`; a missing
/// credential is a usage error naming where to set it.
pub fn build<D: Domain, C: From<douyin_core::Client<D>>>(
    ctx: &Ctx,
    domain: &str,
    configured: Result<ClientBuilder<D>, Error<D::Code>>,
    setup: ClientSetup,
) -> Result<C, CliError> {
    let mut b = configured.map_err(|e| match e {
        // Names where to set the missing credential.
        Error::Credential { name, .. } => match ctx.config.require(domain, name) {
            Err(usage) if setup.identities.is_empty() => usage,
            // Names the identity at fault.
            _ => CliError::usage(e.to_string()),
        },
        other => CliError::usage(other.to_string()),
    })?;
    if let Some(provided) = setup.provided {
        b = b.credentials(Boxed(provided));
    }
    if let Some(scale) = ctx.crawl.pace_scale {
        b = b.pacing_scale(scale);
    }
    if ctx.crawl.paced() || !setup.identities.is_empty() {
        b = b
            .paced()
            .on_crawl_event(crate::identities::reporter(ctx.crawl_note.clone()));
    }
    b.settings(&setup.settings)
        .build()
        .map(Into::into)
        .map_err(|e| {
            if e.is_usage() {
                CliError::usage(e.to_string())
            } else {
                CliError::failure(format!("cannot set up the HTTP client: {e}"))
            }
        })
}

/// Credentials chosen at run time, as the builder takes them.
struct Boxed(Box<dyn Credentials>);

impl Credentials for Boxed {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        self.0.get(name)
    }

    fn refresh(&self, name: &'static str) -> BoxFuture<'_, Result<(), String>> {
        self.0.refresh(name)
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.0.refresh_rejected(name, rejected)
    }

    fn session_params(&self) -> Vec<(String, String, douyin_core::Position)> {
        self.0.session_params()
    }
}
