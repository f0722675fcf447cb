//! a_bogus as a [`douyin_core::Signer`]: signs the final query, body and user agent of a web request with the
//! session's browser fingerprint.

use std::sync::Arc;

use douyin_abogus::{
    ABogus, Entropy, Fingerprint, Signature, Size, SystemEntropy, UaSigner, Window,
};
use douyin_core::{BoxFuture, SignInput, Signer};

use crate::signing::UaCache;
use crate::WebSession;

/// Unix milliseconds, read before and after hashing; replaceable for tests.
pub type MillisClock = Arc<dyn Fn() -> u64 + Send + Sync>;
/// One random value per call (a browser draws from `0..=9999`); replaceable for tests.
pub type RandomSource = Arc<dyn Fn() -> u16 + Send + Sync>;

/// Appends `a_bogus=<signature>` to a request (the runtime percent-encodes it). Caches the per-user-agent part of
/// the signature; times come from the system clock and random values from a fast RNG unless replaced.
#[derive(Clone)]
pub struct ABogusSigner {
    config: ABogus,
    clock: Option<MillisClock>,
    random: Option<RandomSource>,
    cached: UaCache<UaSigner>,
}

impl Default for ABogusSigner {
    /// [`ABogus::default`]: the default options and the fingerprint of the profile's default screen.
    fn default() -> Self {
        Self::new(ABogus::default())
    }
}

impl std::fmt::Debug for ABogusSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ABogusSigner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ABogusSigner {
    /// A signer with the given options and fingerprint.
    pub fn new(config: ABogus) -> Self {
        ABogusSigner {
            config,
            clock: None,
            random: None,
            cached: UaCache::new(),
        }
    }

    /// A signer whose fingerprint agrees with the session's browser profile ([`fingerprint_of`]), with the default
    /// options.
    pub fn for_session(session: &WebSession) -> Self {
        Self::new(ABogus::default().with_fingerprint(fingerprint_of(session)))
    }

    /// Uses another clock (Unix milliseconds).
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Uses another source of random values.
    pub fn with_random(mut self, random: impl Fn() -> u16 + Send + Sync + 'static) -> Self {
        self.random = Some(Arc::new(random));
        self
    }

    /// The options and fingerprint every signature carries.
    pub fn config(&self) -> &ABogus {
        &self.config
    }

    /// The signature for one request.
    pub fn signature(&self, query: &str, body: &[u8], user_agent: &str) -> Signature {
        let signer = self
            .cached
            .get(user_agent, |ua| self.config.for_user_agent(ua));
        let mut source = Source {
            clock: self.clock.as_deref(),
            random: self.random.as_deref(),
        };
        signer.sign_with(query.as_bytes(), body, &mut source)
    }
}

impl Signer for ABogusSigner {
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        let sig = self.signature(input.query, input.body, input.user_agent);
        Box::pin(async move { Ok(vec![("a_bogus".to_owned(), sig.as_str().to_owned())]) })
    }
}

/// The replaced clock and random source, or the system's.
struct Source<'a> {
    clock: Option<&'a (dyn Fn() -> u64 + Send + Sync)>,
    random: Option<&'a (dyn Fn() -> u16 + Send + Sync)>,
}

impl Entropy for Source<'_> {
    fn now_ms(&mut self) -> u64 {
        self.clock.map_or_else(|| SystemEntropy.now_ms(), |c| c())
    }

    fn random(&mut self) -> u16 {
        self.random.map_or_else(|| SystemEntropy.random(), |r| r())
    }
}

/// The fingerprint of a browser maximized on the session profile's screen (`screen_width`, `screen_height`,
/// `browser_platform`; see [`Window::maximized`]). A value missing or not a number falls back to the
/// default window's.
pub fn fingerprint_of(session: &WebSession) -> Fingerprint {
    let default = Window::default();
    let param = |name: &str| {
        session
            .query_params()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, _)| v)
    };
    let dimension =
        |name: &str, fallback: u32| param(name).and_then(|v| v.parse().ok()).unwrap_or(fallback);
    let screen = Size::new(
        dimension("screen_width", default.screen.width),
        dimension("screen_height", default.screen.height),
    );
    let platform = param("browser_platform").unwrap_or(&default.platform);
    Window::maximized(screen, platform)
        .fingerprint()
        .unwrap_or_else(|_| Fingerprint::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    const UA: &str =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.6099.109 Safari/537.36";

    #[test]
    fn the_fingerprint_follows_the_session_profile() {
        let s = WebSession::new("c=1", UA);
        // The Chrome-on-Mac user agent sets browser_platform; the screen stays at the defaults.
        assert_eq!(
            fingerprint_of(&s).as_str(),
            "1920|968|1920|1055|0|0|0|0|1920|1055|1920|1080|1920|968|24|24|MacIntel"
        );
        let s = WebSession::with_default_user_agent("c=1")
            .profile_param("screen_width", "1366")
            .profile_param("screen_height", "768");
        assert_eq!(
            fingerprint_of(&s).as_str(),
            "1366|641|1366|728|0|0|0|0|1366|728|1366|768|1355|641|24|24|Win32"
        );
        let s = WebSession::with_default_user_agent("c=1").profile_param("screen_width", "wide");
        assert!(fingerprint_of(&s).as_str().starts_with("1920|953|"));
    }

    #[test]
    fn signs_with_the_injected_clock_and_random_values_and_caches_the_user_agent() {
        let ticks = Arc::new(AtomicU64::new(1_750_736_636_186));
        let t = ticks.clone();
        let signer = ABogusSigner::for_session(&WebSession::new("c=1", UA))
            .with_clock(move || t.fetch_add(1, Ordering::SeqCst))
            .with_random(|| 4321);
        let query = "device_platform=webapp&aid=6383&aweme_id=7380308675841297704";
        let sig = signer.signature(query, b"", UA);
        let d = douyin_abogus::verify(query.as_bytes(), b"", UA.as_bytes(), sig.as_str()).unwrap();
        assert_eq!(
            (d.start_ms, d.end_ms),
            (1_750_736_636_186, 1_750_736_636_187)
        );
        assert_eq!(d.random, [4321; 3]);
        assert_eq!(d.fingerprint, *signer.config().fingerprint());
        // Same as the crate's own signer with the same inputs.
        let direct = signer.config().sign(
            query.as_bytes(),
            b"",
            UA.as_bytes(),
            douyin_abogus::Stamp::new(1_750_736_636_186, 1_750_736_636_187, [4321; 3]),
        );
        assert_eq!(sig, direct);

        // A second user agent replaces the cached one.
        let other = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let sig = signer.signature(query, b"", other);
        assert!(
            douyin_abogus::verify(query.as_bytes(), b"", other.as_bytes(), sig.as_str()).is_ok()
        );
        assert_eq!(signer.cached.user_agent().as_deref(), Some(other));
    }

    #[tokio::test]
    async fn the_signer_appends_a_bogus() {
        let signer = ABogusSigner::default();
        let input = SignInput {
            method: "POST",
            path: "/aweme/v1/web/commit/item/digg/",
            query: "aid=6383",
            body: b"aweme_id=1&type=1",
            user_agent: UA,
        };
        let params = signer.sign(input).await.unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].0, "a_bogus");
        let d = douyin_abogus::verify(
            b"aid=6383",
            b"aweme_id=1&type=1",
            UA.as_bytes(),
            &params[0].1,
        )
        .unwrap();
        let now = douyin_abogus::unix_now_ms();
        assert!(d.check_clock(now, 60_000).is_ok(), "{d:?}");
        assert!(d.random.iter().all(|&r| r < 10_000));
    }
}
