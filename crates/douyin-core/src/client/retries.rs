//! Retries: an attempt that failed retryably is repeated after the policy's delay (a `Retry-After` past the
//! policy's limit is [`Error::RateLimited`] at once), and an API error the spec says stales a credential refreshes it
//! once and retries.

use super::transmit::RawResponse;
use super::{Client, Domain};
use crate::credentials::Secret;
use crate::error::Error;
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
        loop {
            let wire = self.resolve(req).await?;
            let secrets: Vec<&str> = wire.secrets.iter().map(Secret::expose).collect();
            let (result, retry_after) = match self.transmit(req, &wire).await {
                Ok(raw) => (
                    decode(&raw, &secrets),
                    raw.retry_after.map(|r| (raw.status, r)),
                ),
                Err(e) => (Err(e), None),
            };
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e.masked(&secrets),
            };
            if let Error::Api(api) = &err {
                let stale = refreshed_by::<D>(req, &api.code);
                if !stale.is_empty() && !refreshed {
                    refreshed = true;
                    // A provider that cannot refresh leaves the API error as the answer.
                    if self.refresh_credentials(&stale, &wire.sent).await.is_ok() {
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
        names: &[&'static str],
        sent: &[(&'static str, Secret)],
    ) -> Result<(), String> {
        for &name in names {
            match sent.iter().find(|(n, _)| *n == name) {
                Some((_, rejected)) => {
                    self.inner
                        .credentials
                        .refresh_rejected(name, rejected)
                        .await?
                }
                None => self.inner.credentials.refresh(name).await?,
            }
        }
        Ok(())
    }
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
