//! Builds a domain's client for a command: credentials by the spec's names from the environment or the config file
//! (the generated `Client::configured` checks the required ones), then base URL (checked), retries, timeout and body
//! limit from the context; the OAuth token file for the domain that has one (`crate::domains::open_platform::auth`). The generated commands
//! reach [`build`] through `Host::client` ([`crate::host`]); a new domain needs nothing here.

use douyin_core::{ClientBuilder, Domain, Error, RetryPolicy, Secret};

use crate::host::Ctx;
use crate::support::CliError;

/// The client of `domain`, configured by `configured` (the generated `Client::configured`) from the values the
/// context has.
pub fn build<D: Domain, C: From<douyin_core::Client<D>>>(
    ctx: &Ctx,
    domain: &str,
    configured: impl FnOnce(
        &dyn Fn(&'static str) -> Option<Secret>,
    ) -> Result<ClientBuilder<D>, Error<D::Code>>,
) -> Result<C, CliError> {
    let values = |name: &'static str| ctx.config.credential(domain, name).cloned();
    let mut b = configured(&values).map_err(|e| match e {
        // Names where to set the missing credential.
        Error::Credential { name, .. } => match ctx.config.require(domain, name) {
            Err(usage) => usage,
            Ok(_) => CliError::usage(e.to_string()),
        },
        other => CliError::usage(other.to_string()),
    })?;
    // A domain with an OAuth flow takes its tokens from the token file when none is configured.
    if let Some(oauth) = crate::domains::open_platform::auth::credentials(ctx, domain)? {
        b = b.credentials(oauth);
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
