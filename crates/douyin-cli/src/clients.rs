//! Builds a domain's client for a command: credentials by the spec's names from the environment or the config file
//! (the generated `Client::configured` checks the required ones), then base URL (checked), retries, timeout and body
//! limit from the context; the OAuth token file for the domain that has one (`crate::domains::open_platform::auth`);
//! identities and pacing from `--identities` / `--pace-scale` (`crate::identities`). The generated commands reach
//! [`build`] through `Host::client` ([`crate::host`]); a new domain needs nothing here.

use douyin_core::{ClientBuilder, Domain, Error, RetryPolicy, Secret};

use crate::host::Ctx;
use crate::identities::IdentityEntry;
use crate::support::CliError;

/// The client of `domain`, configured by `configured` (the generated `Client::configured`) from the values the
/// context has.
pub fn build<D: Domain, C: From<douyin_core::Client<D>>>(
    ctx: &Ctx,
    domain: &str,
    configured: impl Fn(
        &dyn Fn(&'static str) -> Option<Secret>,
    ) -> Result<ClientBuilder<D>, Error<D::Code>>,
) -> Result<C, CliError> {
    let entries = match &ctx.crawl.identities {
        Some(path) => {
            let names: Vec<&'static str> = crate::generated::credentials(domain)
                .unwrap_or_default()
                .iter()
                .map(|c| c.name)
                .collect();
            crate::identities::load(path, &names)?
        }
        None => Vec::new(),
    };
    // An identity's own values first, then the configuration's.
    let builder_for = |entry: Option<&IdentityEntry>| {
        let values = |name: &'static str| {
            entry
                .and_then(|e| e.values.get(name).cloned())
                .or_else(|| ctx.config.credential(domain, name).cloned())
        };
        configured(&values).map_err(|e| match e {
            // Names where to set the missing credential.
            Error::Credential { name, .. } => match ctx.config.require(domain, name) {
                Err(usage) if entry.is_none() => usage,
                Err(_) => CliError::usage(format!(
                    "identity `{}` of --identities: no `{name}`, in the file or configured",
                    entry.map_or("", |e| e.name.as_str())
                )),
                Ok(_) => CliError::usage(e.to_string()),
            },
            other => CliError::usage(other.to_string()),
        })
    };
    let mut b = builder_for(entries.first())?;
    // A domain with an OAuth flow takes its tokens from the token file when none is configured.
    if let Some(oauth) = crate::domains::open_platform::auth::credentials(ctx, domain)? {
        b = b.credentials(oauth);
    }
    for entry in &entries {
        let mut identity = builder_for(Some(entry))?.into_identity(entry.name.clone());
        if let Some(proxy) = &entry.proxy {
            let proxy = reqwest::Proxy::all(proxy.expose()).map_err(|_| {
                CliError::usage(format!(
                    "identity `{}`: `proxy` is not a proxy URL",
                    entry.name
                ))
            })?;
            identity = identity.proxy(proxy);
        }
        b = b.identity(identity);
    }
    if let Some(scale) = ctx.crawl.pace_scale {
        b = b.pacing_scale(scale);
    }
    if ctx.crawl.paced() {
        b = b
            .paced()
            .on_crawl_event(crate::identities::reporter(ctx.crawl_note.clone()));
    }
    if let Some(url) = ctx.base_url_for(domain)? {
        b = b.base_url(url);
    }
    b.retry(RetryPolicy {
        max_attempts: ctx.max_attempts,
        ..RetryPolicy::default()
    })
    .timeout(ctx.timeout)
    .max_body_bytes(ctx.max_body_bytes)
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
