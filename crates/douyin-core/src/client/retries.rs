//! Retries: an attempt that failed retryably is repeated after the policy's delay (a `Retry-After` past the
//! policy's limit is [`Error::RateLimited`] at once), and an API error the spec says stales a credential refreshes it
//! once and retries.

use super::transmit::RawResponse;
use super::{Client, Domain, Who};
use crate::credentials::Secret;
use crate::error::{Error, ErrorCode};
use crate::request::{Request, Value};

impl<D: Domain> Client<D> {
    pub(super) async fn with_retries<T>(
        &self,
        req: &Request,
        decode: impl Fn(&RawResponse, &[&str]) -> Result<T, Error<D::Code>>,
    ) -> Result<T, Error<D::Code>> {
        let policy = &self.inner.retry;
        let mut attempt = 1;
        let mut refreshed = false;
        let mut moved = 0;
        loop {
            // The crawl layer picks the identity that sends this attempt (waiting for its budget), or refuses.
            let seat = match &self.inner.crawl {
                Some(crawl) => Some(crawl.seat(req.op).await.map_err(|r| r.error(req.op))?),
                None => None,
            };
            let who = self.who(seat);
            let wire = self.resolve(req, &who).await?;
            let secrets: Vec<&str> = wire.secrets.iter().map(Secret::expose).collect();
            let (result, retry_after) = match self.transmit(req, &wire, who.http).await {
                Ok(raw) => (
                    decode(&raw, &secrets),
                    raw.retry_after.map(|r| (raw.status, r)),
                ),
                Err(e) => (Err(e), None),
            };
            if let (Some(crawl), Some(seat)) = (&self.inner.crawl, seat) {
                let risk = crate::crawl_setup::risk(req.op, &result);
                if let Some(opened) = crawl.outcome(seat, req.op, risk, answered(&result)) {
                    return Err(opened.error(req.op));
                }
                // A flagged identity rests; the request moves to another one, paced like any other.
                if risk.is_some() && moved + 1 < crawl.len() && crawl.another_ready(seat) {
                    moved += 1;
                    continue;
                }
            }
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e.masked(&secrets),
            };
            if let Error::Api(api) = &err {
                let stale = refreshed_by::<D>(req, &api.code);
                if !stale.is_empty() && !refreshed {
                    refreshed = true;
                    // A provider that cannot refresh leaves the API error as the answer.
                    if self
                        .refresh_credentials(&who, &stale, &wire.sent)
                        .await
                        .is_ok()
                    {
                        tracing::debug!(
                            op = req.op.name,
                            ?stale,
                            "credentials refreshed, retrying"
                        );
                        continue;
                    }
                }
            }
            if err.is_retryable() {
                if let Some((status, r)) =
                    retry_after.filter(|(_, r)| r.wait > policy.max_retry_after)
                {
                    return Err(Error::RateLimited {
                        status,
                        retry_after: r,
                    });
                }
            }
            if err.is_retryable() && attempt < policy.max_attempts {
                let delay = policy.delay_with(attempt, retry_after.map(|(_, r)| r));
                tracing::debug!(op = req.op.name, attempt, ?delay, "retrying after: {err}");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    /// Refreshes `names`, telling the provider the value each was sent with (the one the service rejected).
    async fn refresh_credentials(
        &self,
        who: &Who<'_>,
        names: &[&'static str],
        sent: &[(&'static str, Secret)],
    ) -> Result<(), String> {
        for &name in names {
            match sent.iter().find(|(n, _)| *n == name) {
                Some((_, rejected)) => who.credentials.refresh_rejected(name, rejected).await?,
                None => who.credentials.refresh(name).await?,
            }
        }
        Ok(())
    }
}

/// Whether the service answered (a success or an error it sent), as opposed to the request not getting through.
fn answered<T, C: ErrorCode>(result: &Result<T, Error<C>>) -> bool {
    !matches!(result, Err(Error::Transport(_) | Error::Timeout(_)))
}

/// The request's credentials the spec says `code` refreshes.
pub(super) fn refreshed_by<D: Domain>(req: &Request, code: &D::Code) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for name in credential_names(req) {
        let named = D::CREDENTIALS
            .iter()
            .any(|c| c.name == name && c.refreshed_by(code));
        if named && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The credentials `req` carries, wherever they go (query, headers, form, JSON body).
fn credential_names(req: &Request) -> impl Iterator<Item = &'static str> + '_ {
    req.query
        .iter()
        .chain(&req.headers)
        .chain(&req.form)
        .chain(&req.json)
        .filter_map(|(_, v)| match v {
            Value::Credential(c) => Some(*c),
            _ => None,
        })
}
