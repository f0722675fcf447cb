//! One client constructor per domain, with the domain crate's own credential plumbing; the generated commands reach
//! them through `Host::<domain>_client` ([`crate::host`]). A new operation needs nothing here; a new domain (a new
//! crate with its own hand-written constructors) adds one function, and the compiler asks for its `Host` method.

use douyin_core::{ClientBuilder, Domain, RetryPolicy};

use crate::host::Ctx;
use crate::support::CliError;

/// Base URL, retries and timeout from the context, then builds.
fn finish<D: Domain>(
    ctx: &Ctx,
    domain: &str,
    mut b: ClientBuilder<D>,
) -> Result<douyin_core::Client<D>, CliError> {
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
    .map_err(|e| {
        if e.is_usage() {
            CliError::usage(e.to_string())
        } else {
            CliError::failure(e.to_string())
        }
    })
}

/// Onebound: `key` and `secret`.
pub fn onebound(ctx: &Ctx) -> Result<douyin_onebound::Client, CliError> {
    let key = ctx.config.require("onebound", "key")?;
    let secret = ctx.config.require("onebound", "secret")?;
    let b =
        douyin_onebound::Client::builder().credentials(douyin_onebound::credentials(key, secret));
    finish(ctx, "onebound", b).map(Into::into)
}

/// Open Platform: tokens set in the environment or config file, else the stored OAuth tokens, refreshed as needed
/// (`crate::auth`).
pub fn open_platform(ctx: &Ctx) -> Result<douyin_open_platform::Client, CliError> {
    let b = douyin_open_platform::Client::builder().credentials(crate::auth::credentials(ctx)?);
    finish(ctx, "open-platform", b).map(Into::into)
}

/// Web: a browser session (cookie required; user agent defaults to the one the spec's browser profile agrees with;
/// msToken defaults to the cookie's) signed with X-Bogus.
pub fn web(ctx: &Ctx) -> Result<douyin_web::Client, CliError> {
    let cookie = ctx.config.require("web", "cookie")?;
    let mut session = match ctx.config.credential("web", "user_agent") {
        Some(ua) => douyin_web::WebSession::new(cookie.expose(), ua.expose()),
        None => douyin_web::WebSession::with_default_user_agent(cookie.expose()),
    };
    if let Some(token) = ctx.config.credential("web", "ms_token") {
        session = session.ms_token(token.expose());
    }
    let b = douyin_web::builder(session, douyin_web::XBogusSigner::default());
    finish(ctx, "web", b).map(Into::into)
}
