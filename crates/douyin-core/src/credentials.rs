//! Credentials (keys, tokens, cookies) as named secrets that never print, and the providers that supply them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::{ErrorClass, ErrorCode};
use crate::request::Position;

/// A credential value. `Debug` and `Display` print `***`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a credential value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The credential text, for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: Into<String>> From<T> for Secret {
    fn from(v: T) -> Self {
        Secret::new(v)
    }
}

/// Supplies the named credentials a domain's spec declares (`key`, `access_token`, `cookie`, …).
///
/// `refresh` is called once when the service says a credential expired; the request is then retried with a fresh
/// [`Credentials::get`].
pub trait Credentials: Send + Sync + 'static {
    /// The current value of credential `name`.
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>>;

    /// Obtains a fresh value of credential `name` (for example by refreshing an OAuth token).
    fn refresh(&self, name: &'static str) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { Err(format!("credential `{name}` cannot be refreshed")) })
    }

    /// Like [`Credentials::refresh`], knowing the value the service rejected: a provider shared by many concurrent
    /// requests refreshes once and answers the others, whose rejected value is already replaced, at once.
    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        let _ = rejected;
        self.refresh(name)
    }

    /// Query parameters the session adds around every operation's own (a browser profile), with their positions;
    /// [`crate::ClientBuilder::credentials`] takes them. Default: none.
    fn session_params(&self) -> Vec<(String, String, Position)> {
        Vec::new()
    }
}

/// A credential as the domain's spec declares it (generated into [`crate::Domain::CREDENTIALS`]).
#[derive(Debug)]
pub struct CredentialSpec {
    /// Its name (`access_token`, `cookie`, …).
    pub name: &'static str,
    /// Whether a client cannot be configured without it.
    pub required: bool,
    /// Error classes that make the client refresh it once and retry.
    pub refresh_on: &'static [ErrorClass],
    /// Documented error codes that make the client refresh it once and retry.
    pub refresh_on_codes: &'static [&'static str],
}

impl CredentialSpec {
    /// Whether an API error with `code` makes the client refresh this credential.
    pub fn refreshed_by<C: ErrorCode>(&self, code: &C) -> bool {
        self.refresh_on.contains(&code.class()) || self.refresh_on_codes.contains(&code.raw())
    }
}

/// Fixed credentials given up front.
#[derive(Clone, Default)]
pub struct StaticCredentials(BTreeMap<&'static str, Secret>);

impl StaticCredentials {
    /// No credentials yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds credential `name`.
    pub fn with(mut self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.0.insert(name, value.into());
        self
    }
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl StaticCredentials {
    /// The declared credentials that `values` has a value for.
    pub fn from_values(
        declared: &[CredentialSpec],
        values: &dyn Fn(&'static str) -> Option<Secret>,
    ) -> Self {
        declared
            .iter()
            .filter_map(|c| Some((c.name, values(c.name)?)))
            .fold(Self::new(), |s, (name, value)| s.with(name, value))
    }
}

impl Credentials for StaticCredentials {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        let found = self.0.get(name).cloned();
        Box::pin(async move { found.ok_or_else(|| "not configured".to_owned()) })
    }
}

/// What a [`Signer`] sees: the final request exactly as it will be sent.
#[derive(Debug)]
pub struct SignInput<'a> {
    /// HTTP method.
    pub method: crate::Method,
    /// Path below the base URL.
    pub path: &'a str,
    /// The encoded query string, without `?`, in the order it is sent.
    pub query: &'a str,
    /// The body bytes (empty for GET).
    pub body: &'a [u8],
    /// The `user-agent` header value.
    pub user_agent: &'a str,
}

/// Adds a signature to a request (X-Bogus, a_bogus, an external signing service, …). A domain's spec names its
/// signers and which operations each applies to; they run in that order, each seeing the query as the previous one
/// left it.
pub trait Signer: Send + Sync + 'static {
    /// Returns the query parameters to append (name, value), in order.
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> BoxFuture<'a, Result<Vec<(String, String)>, String>>;

    /// Checks parameters this signer appended (decoded, in order) against the request they were computed over
    /// (the mock server's check). The default accepts any value: the signer cannot check its own output.
    fn verify(&self, input: SignInput<'_>, appended: &[(String, String)]) -> Result<(), String> {
        let _ = (input, appended);
        Ok(())
    }
}
