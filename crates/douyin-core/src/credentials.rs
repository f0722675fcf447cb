//! Credentials (keys, tokens, cookies) as named secrets that never print, and the providers that supply them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

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
    pub method: &'a str,
    /// Path below the base URL.
    pub path: &'a str,
    /// The encoded query string, without `?`, in the order it is sent.
    pub query: &'a str,
    /// The body bytes (empty for GET).
    pub body: &'a [u8],
    /// The `user-agent` header value.
    pub user_agent: &'a str,
}

/// Adds a signature to a request (X-Bogus, a_bogus, an external signing service, …).
pub trait Signer: Send + Sync + 'static {
    /// Returns query parameters to append, e.g. `[("X-Bogus", "DFSz…")]`.
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> BoxFuture<'a, Result<Vec<(String, String)>, String>>;
}
