//! The browser fingerprint a_bogus carries in clear (after RC4): window and screen sizes and the platform, as
//! [`Fingerprint`] text or built from a [`Window`].

use core::fmt;
use core::str::FromStr;

/// Longest fingerprint accepted, in characters. Browsers send about 65–80; the bound keeps signatures inline.
pub const MAX_FINGERPRINT_LEN: usize = 128;

/// Why a string cannot be a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    /// Longer than [`MAX_FINGERPRINT_LEN`] bytes.
    #[error("fingerprint too long: {0} bytes, at most 128")]
    TooLong(usize),
    /// A character that is not printable ASCII (browsers only send digits, `|` and the platform name).
    #[error("fingerprint character {character:?} at byte {index} is not printable ASCII")]
    Character {
        /// The offending character.
        character: char,
        /// Its byte offset.
        index: usize,
    },
}

/// The browser fingerprint string, e.g. `1920|953|1920|1040|0|0|0|0|1920|1040|1920|1080|1920|953|24|24|Win32`: up
/// to [`MAX_FINGERPRINT_LEN`] printable ASCII characters, stored inline (`Copy`, no heap).
///
/// [`Window::fingerprint`] builds one from window and screen values; [`Default`] is
/// [`Window::default`]'s (a maximized browser on a 1920×1080 Windows screen).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    bytes: [u8; MAX_FINGERPRINT_LEN],
    len: u8,
}

impl Fingerprint {
    /// Checks and stores `text`.
    pub fn new(text: &str) -> Result<Self, FingerprintError> {
        Self::from_bytes(text.as_bytes()).map_err(|e| match e {
            FingerprintError::Character { index, character } => FingerprintError::Character {
                // Every byte before `index` is ASCII, so it is a char boundary.
                character: text
                    .get(index..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or(character),
                index,
            },
            other => other,
        })
    }

    /// Checks and stores raw bytes; a byte that is not printable ASCII is reported as its Latin-1 character.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, FingerprintError> {
        if bytes.len() > MAX_FINGERPRINT_LEN {
            return Err(FingerprintError::TooLong(bytes.len()));
        }
        if let Some(index) = bytes.iter().position(|b| !(b' '..=b'~').contains(b)) {
            return Err(FingerprintError::Character {
                character: char::from(bytes[index]),
                index,
            });
        }
        let mut fp = Fingerprint {
            bytes: [0; MAX_FINGERPRINT_LEN],
            len: bytes.len() as u8,
        };
        fp.bytes[..bytes.len()].copy_from_slice(bytes);
        Ok(fp)
    }

    /// The fingerprint text.
    pub fn as_str(&self) -> &str {
        match core::str::from_utf8(self.as_bytes()) {
            Ok(s) => s,
            Err(_) => unreachable!("fingerprints are ASCII"),
        }
    }

    /// The fingerprint as ASCII bytes (the character codes the signature carries).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length in characters (= bytes).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the fingerprint is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Window::default()
            .fingerprint()
            .expect("the default window's fingerprint is valid")
    }
}

impl FromStr for Fingerprint {
    type Err = FingerprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Fingerprint").field(&self.as_str()).finish()
    }
}

/// A width and a height in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Size {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Size {
    /// `width × height`.
    pub const fn new(width: u32, height: u32) -> Self {
        Size { width, height }
    }
}

/// The window and screen values a browser's fingerprint is made of (the JavaScript properties in brackets).
///
/// The fingerprint lists them as `inner | outer | screen position | scroll position (0|0) | available screen |
/// screen | client area | colour depth | pixel depth | platform`, each size as `width|height`. Which of the two
/// screen sizes comes first is read off a real Edge fingerprint (`…|1536|834|1536|864|…`: the available height
/// is the one without the taskbar), since the reference generator writes the same size twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// The viewport (`innerWidth`, `innerHeight`).
    pub inner: Size,
    /// The browser window (`outerWidth`, `outerHeight`).
    pub outer: Size,
    /// The window's position on the screen (`screenX`, `screenY`).
    pub position: (i32, i32),
    /// The screen without taskbars and docks (`screen.availWidth`, `screen.availHeight`).
    pub avail: Size,
    /// The screen (`screen.width`, `screen.height`).
    pub screen: Size,
    /// The page's client area: the viewport without scrollbars (`documentElement.clientWidth`, `…clientHeight`).
    pub client: Size,
    /// Bits per pixel (`screen.colorDepth`, also sent as `screen.pixelDepth`).
    pub color_depth: u32,
    /// `navigator.platform`, e.g. `Win32`, `MacIntel`, `Linux x86_64`.
    pub platform: String,
}

impl Window {
    /// A browser maximized on a `screen` of the given size, with plausible desktop values: a 40-pixel taskbar on
    /// Windows (`Win32`) and a 25-pixel menu bar on macOS (`MacIntel`), 87 pixels of tabs and toolbar (Chromium),
    /// a classic 11-pixel vertical scrollbar except on macOS (overlay scrollbars), 24-bit colour.
    pub fn maximized(screen: Size, platform: &str) -> Self {
        let (bars, scrollbar) = match platform {
            "Win32" | "Win64" => (40, 11),
            "MacIntel" => (25, 0),
            _ => (0, 11),
        };
        let avail = Size::new(screen.width, screen.height.saturating_sub(bars));
        let inner = Size::new(avail.width, avail.height.saturating_sub(87));
        Window {
            inner,
            outer: avail,
            position: (0, 0),
            avail,
            screen,
            client: Size::new(inner.width.saturating_sub(scrollbar), inner.height),
            color_depth: 24,
            platform: platform.to_owned(),
        }
    }

    /// The fingerprint text of these values; fails only for a platform that makes it too long or is not ASCII.
    pub fn fingerprint(&self) -> Result<Fingerprint, FingerprintError> {
        let (x, y) = self.position;
        let text = format!(
            "{}|{}|{}|{}|{x}|{y}|0|0|{}|{}|{}|{}|{}|{}|{d}|{d}|{}",
            self.inner.width,
            self.inner.height,
            self.outer.width,
            self.outer.height,
            self.avail.width,
            self.avail.height,
            self.screen.width,
            self.screen.height,
            self.client.width,
            self.client.height,
            self.platform,
            d = self.color_depth,
        );
        text.parse()
    }
}

impl Default for Window {
    /// [`Window::maximized`] on a 1920×1080 `Win32` screen: the session profile's defaults.
    fn default() -> Self {
        Window::maximized(Size::new(1920, 1080), "Win32")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fingerprint() {
        assert_eq!(
            Fingerprint::default().as_str(),
            "1920|953|1920|1040|0|0|0|0|1920|1040|1920|1080|1909|953|24|24|Win32"
        );
    }

    #[test]
    fn mac_window() {
        let w = Window::maximized(Size::new(1440, 900), "MacIntel");
        assert_eq!(
            w.fingerprint().unwrap().as_str(),
            "1440|788|1440|875|0|0|0|0|1440|875|1440|900|1440|788|24|24|MacIntel"
        );
    }

    #[test]
    fn the_real_edge_fingerprint_round_trips_through_window() {
        let real = "1536|747|1536|834|0|30|0|0|1536|834|1536|864|1525|747|24|24|Win32";
        let w = Window {
            inner: Size::new(1536, 747),
            outer: Size::new(1536, 834),
            position: (0, 30),
            avail: Size::new(1536, 834),
            screen: Size::new(1536, 864),
            client: Size::new(1525, 747),
            color_depth: 24,
            platform: "Win32".into(),
        };
        assert_eq!(w.fingerprint().unwrap().as_str(), real);
        assert_eq!(real.parse::<Fingerprint>().unwrap().len(), 65);
    }

    #[test]
    fn rejects_long_and_non_ascii_text() {
        let long = "1".repeat(129);
        assert_eq!(
            long.parse::<Fingerprint>(),
            Err(FingerprintError::TooLong(129))
        );
        assert!("1".repeat(128).parse::<Fingerprint>().is_ok());
        assert_eq!(
            "1|2|Wïn".parse::<Fingerprint>(),
            Err(FingerprintError::Character {
                character: 'ï',
                index: 5
            })
        );
        assert_eq!(
            Fingerprint::new("a\tb"),
            Err(FingerprintError::Character {
                character: '\t',
                index: 1
            })
        );
        let w = Window::maximized(Size::new(800, 600), &"x".repeat(100));
        assert!(matches!(w.fingerprint(), Err(FingerprintError::TooLong(_))));
    }

    #[test]
    fn empty_fingerprint_is_allowed() {
        let fp = Fingerprint::new("").unwrap();
        assert!(fp.is_empty());
        assert_eq!(fp.to_string(), "");
    }
}
