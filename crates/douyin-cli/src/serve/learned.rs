//! Credential values `douyin serve` learns while it runs, masked in its answers like the configured ones: the
//! values of `--identities`, and every value a domain's credential provider hands out (the access token of the
//! token file, a token refreshed after the server started). Each is learned before it is first sent upstream, so an
//! upstream that echoes it in a successful answer gets it masked.

use std::sync::{Arc, Mutex};

use douyin_core::{BoxFuture, Credentials, Position, Secret};

/// At most this many learned values are kept (the oldest go first): tokens are refreshed hours apart, so these are
/// far more than a server meets, and a provider that made up a new value per request cannot grow the list.
const KEPT: usize = 256;

/// The learned values, shared by the server's clients. Every answer reads them and a value is learned rarely, so a
/// reader takes the current list by its `Arc` and learning replaces it.
#[derive(Clone, Default)]
pub struct Learned(Arc<Mutex<Arc<Vec<String>>>>);

impl Learned {
    /// Keeps `value` (and, for a cookie header, the values in it worth masking on their own).
    pub fn learn(&self, value: &str) {
        let Ok(mut current) = self.0.lock() else {
            return;
        };
        let pieces = douyin_core::redact::cookie_values(value).chain(std::iter::once(value));
        for piece in pieces {
            if piece.is_empty() || current.iter().any(|k| k == piece) {
                continue;
            }
            let kept = Arc::make_mut(&mut current);
            if kept.len() == KEPT {
                kept.remove(0);
            }
            kept.push(piece.to_owned());
        }
    }

    /// The values learned so far.
    pub fn values(&self) -> Arc<Vec<String>> {
        self.0
            .lock()
            .map(|current| Arc::clone(&current))
            .unwrap_or_default()
    }

    /// `provider`, learning every value it hands out.
    pub fn watching(&self, provider: Box<dyn Credentials>) -> Box<dyn Credentials> {
        Box::new(Watched {
            inner: provider,
            learned: self.clone(),
        })
    }
}

/// A credential provider whose values are learned as they are handed out.
struct Watched {
    inner: Box<dyn Credentials>,
    learned: Learned,
}

impl Credentials for Watched {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        Box::pin(async move {
            let value = self.inner.get(name).await?;
            self.learned.learn(value.expose());
            Ok(value)
        })
    }

    fn refresh(&self, name: &'static str) -> BoxFuture<'_, Result<(), String>> {
        self.inner.refresh(name)
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.inner.refresh_rejected(name, rejected)
    }

    fn session_params(&self) -> Vec<(String, String, Position)> {
        self.inner.session_params()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_learned_whole_and_by_its_long_values_and_the_oldest_values_go_first() {
        let learned = Learned::default();
        learned.learn("sessionid=0123456789abcdef; is_staff=0");
        assert_eq!(
            *learned.values(),
            ["0123456789abcdef", "sessionid=0123456789abcdef; is_staff=0"]
        );
        for i in 0..KEPT {
            learned.learn(&format!("token-{i}"));
        }
        let values = learned.values();
        assert_eq!(values.len(), KEPT);
        // The cookie's two values were the oldest.
        assert_eq!(values[0], "token-0");
        assert_eq!(values[KEPT - 1], format!("token-{}", KEPT - 1));
    }
}
