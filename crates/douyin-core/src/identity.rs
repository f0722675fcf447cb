//! An identity: one set of credentials (a cookie, a user agent, an msToken, …) with its own optional proxy, as
//! one browser would present them. A client given several ([`crate::ClientBuilder::identity`]) spreads its
//! requests over them ([`crate::crawl`]).

use std::fmt;
use std::sync::Arc;

use crate::credentials::Credentials;

/// One identity of a pool. `Debug` shows its label and whether it has a proxy, never a credential or the proxy's
/// address (which may hold a password).
#[derive(Clone)]
pub struct Identity {
    pub(crate) label: String,
    pub(crate) credentials: Arc<dyn Credentials>,
    pub(crate) proxy: Option<reqwest::Proxy>,
}

impl Identity {
    /// An identity called `label` (in reports and errors) with these credentials.
    pub fn new(label: impl Into<String>, credentials: impl Credentials) -> Self {
        Identity {
            label: label.into(),
            credentials: Arc::new(credentials),
            proxy: None,
        }
    }

    /// Sends this identity's requests through `proxy` (reqwest's proxy support: `http://`, `https://`, `socks5://`
    /// where reqwest is built with it).
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("label", &self.label)
            .field("proxy", &self.proxy.is_some())
            .finish_non_exhaustive()
    }
}
