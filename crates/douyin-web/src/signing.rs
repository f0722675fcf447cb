//! X-Bogus as a [`douyin_core::Signer`]: signs the final query, body and user agent of every web request.

use std::sync::{Arc, Mutex};

use douyin_core::{BoxFuture, SignInput, Signer};
use douyin_xbogus::{UaSigner, XBogus};

/// Where the signer gets the time from (Unix seconds); replaceable for tests.
pub type Clock = Arc<dyn Fn() -> u32 + Send + Sync>;

/// The signer of the last user agent seen: a session signs with one user agent, so one entry is enough. Shared by
/// clones of a signer.
#[derive(Clone)]
pub(crate) struct UaCache<S>(Arc<Mutex<Option<(String, S)>>>);

impl<S: Copy> UaCache<S> {
    pub(crate) fn new() -> Self {
        UaCache(Arc::new(Mutex::new(None)))
    }

    /// The cached signer for `user_agent`, or a new one from `make` (which then replaces the cached one).
    pub(crate) fn get(&self, user_agent: &str, make: impl FnOnce(&[u8]) -> S) -> S {
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match cached.as_ref() {
            Some((ua, s)) if ua == user_agent => *s,
            _ => {
                let s = make(user_agent.as_bytes());
                *cached = Some((user_agent.to_owned(), s));
                s
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn user_agent(&self) -> Option<String> {
        let cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached.as_ref().map(|(ua, _)| ua.clone())
    }
}

/// Appends `X-Bogus=<signature>` to every request. Caches the per-user-agent part of the signature.
#[derive(Clone)]
pub struct XBogusSigner {
    config: XBogus,
    clock: Clock,
    cached: UaCache<UaSigner>,
}

impl Default for XBogusSigner {
    fn default() -> Self {
        Self::new(XBogus::default())
    }
}

impl std::fmt::Debug for XBogusSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XBogusSigner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl XBogusSigner {
    /// A signer with the given args/canvas configuration and the system clock.
    pub fn new(config: XBogus) -> Self {
        XBogusSigner {
            config,
            clock: Arc::new(douyin_xbogus::unix_now),
            cached: UaCache::new(),
        }
    }

    /// Uses another clock (Unix seconds).
    pub fn with_clock(mut self, clock: impl Fn() -> u32 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The signature for one request.
    pub fn signature(
        &self,
        query: &str,
        body: &[u8],
        user_agent: &str,
    ) -> douyin_xbogus::Signature {
        let now = (self.clock)();
        let signer = self
            .cached
            .get(user_agent, |ua| self.config.for_user_agent(ua));
        signer.sign(query.as_bytes(), body, now)
    }
}

impl Signer for XBogusSigner {
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        let sig = self.signature(input.query, input.body, input.user_agent);
        Box::pin(async move { Ok(vec![("X-Bogus".to_owned(), sig.as_str().to_owned())]) })
    }
}
