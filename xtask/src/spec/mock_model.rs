//! `mock:` of a domain: what the mock server does with the domain as a whole (offline media).

use serde::Deserialize;

/// `mock:` of a domain.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct DomainMock {
    /// The media addresses the mock serves itself when asked to (offline downloads).
    #[serde(default)]
    pub media: Option<MediaAddresses>,
}

/// Which absolute addresses in the domain's bodies are media files, and how large to serve them.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct MediaAddresses {
    /// Hosts (subdomains match too), each optionally followed by a path prefix.
    pub hosts: Vec<String>,
    /// The integer field beside an address list that gives the file's size in bytes.
    #[serde(default)]
    pub size_field: Option<String>,
    /// The size served when no size field says.
    pub default_size: u64,
}
