//! The fixed half of the seam between the generated command modules (`crate::generated`) and the hand-written CLI,
//! as progenitor's `CliConfig`: [`Host`], the trait through which the generated code calls the CLI, the data it
//! hands across ([`Call`], [`Link`], [`Paging`], [`ClientSetup`], …) and the argument readers the generated
//! commands use. Nothing here depends on a spec; the generated code re-exports it.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;

use clap::ArgMatches;
use douyin_core::registry::OperationEntry;
use douyin_core::{ClientBuilder, ClientSettings, Credentials, Domain, ErrorCode, Page, Secret};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What a link given for a parameter must name (the spec's `link:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkKind {
    /// A video or image post: its aweme id.
    Aweme,
    /// A user: the sec_user_id.
    User,
    /// A collection: the mix id.
    Mix,
    /// A live room: the number in its address (web_rid).
    Live,
}

/// A parameter that takes a link or share text instead of an id.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// The domain (its spec's name).
    pub domain: &'static str,
    /// What the link must name.
    pub kind: LinkKind,
    /// The parameter's flag (`--aweme-id`), for messages.
    pub flag: &'static str,
}

/// A credential a domain's spec declares (values come from the environment or the config file, never flags).
#[derive(Clone, Copy, Debug)]
pub struct Credential {
    /// The spec's credential name (`key`, `access_token`, `cookie`, …).
    pub name: &'static str,
    /// The first paragraph of its documentation.
    pub doc: &'static str,
}

/// An operation about to be sent, as `--verbose` describes it.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The domain (its spec's name).
    pub domain: &'static str,
    /// The spec's operation name (`comment_list`).
    pub operation: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// The client's base URL.
    pub base_url: &'a str,
    /// Path below the base URL.
    pub path: &'static str,
    /// The argument id of the operation's positional argument, if it has one.
    pub positional: Option<&'static str>,
}

/// How `--all-pages` runs: the flag that sets the cursor, where it starts, where it stops, and its name in `--state`.
#[derive(Clone, Debug)]
pub struct Paging {
    /// `--cursor`, `--max-cursor`, …: named when telling how to resume.
    pub cursor_flag: &'static str,
    /// The cursor given on the command line, if any.
    pub start: Option<i64>,
    /// `--max-pages`.
    pub max_pages: Option<u64>,
    /// The walk's key in `--state`: `domain:operation` and the operation's arguments as given, the cursor aside
    /// (`web:aweme_post sec_user_id_or_link=MS4…`).
    pub walk: String,
}

/// A credential read from a file named on the command line (a spec's `cli_file:`).
#[derive(Clone, Debug)]
pub struct CredentialFile {
    /// The domain (its spec's name).
    pub domain: &'static str,
    /// The spec's credential name.
    pub credential: &'static str,
    /// The flag it came from, without dashes.
    pub flag: &'static str,
    /// The file.
    pub path: PathBuf,
}

/// What a domain's client is built from, as the host hands it to the generated code: credential values by the
/// spec's names, a pool of identities (`--identities`), credentials a domain provides itself (a token file), and the
/// runtime's [`ClientSettings`] (base URL, retries, timeout, body limit: the value a session bootstrap or an OAuth app
/// takes too). Data, not callbacks: the generated code hands its `Client::configured` to [`ClientSetup::configure`]
/// and the rest back to [`Host::build_client`].
#[non_exhaustive]
pub struct ClientSetup {
    /// Configured credential values by the spec's names (environment, config file, credential files).
    pub values: BTreeMap<&'static str, Secret>,
    /// The identities requests are spread over (none: the configured credentials alone).
    pub identities: Vec<IdentitySetup>,
    /// Credentials the domain's customization provides in place of the configured ones (an OAuth token file).
    pub provided: Option<Box<dyn Credentials>>,
    /// Where requests go and how each is attempted.
    pub settings: ClientSettings,
}

/// One identity of a pool: its name, its own credential values by the spec's names (what it does not give comes
/// from the configured values) and an optional proxy. `Debug` shows no value and no proxy address.
#[non_exhaustive]
pub struct IdentitySetup {
    /// Its name, in reports and errors.
    pub name: String,
    /// Its credential values by the spec's names.
    pub values: BTreeMap<String, Secret>,
    /// The proxy its requests go through.
    pub proxy: Option<reqwest::Proxy>,
}

impl IdentitySetup {
    /// An identity called `name` with no values and no proxy.
    pub fn new(name: impl Into<String>) -> IdentitySetup {
        IdentitySetup {
            name: name.into(),
            values: BTreeMap::new(),
            proxy: None,
        }
    }
}

impl std::fmt::Debug for IdentitySetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentitySetup")
            .field("name", &self.name)
            .field("values", &self.values.keys().collect::<Vec<_>>())
            .field("proxy", &self.proxy.is_some())
            .finish()
    }
}

impl ClientSetup {
    /// A setup with these values and settings, no provided credentials.
    pub fn new(values: BTreeMap<&'static str, Secret>, settings: ClientSettings) -> ClientSetup {
        ClientSetup {
            values,
            identities: Vec::new(),
            provided: None,
            settings,
        }
    }

    /// The builder `configured` (a domain's generated `Client::configured`) makes of the configured values, with
    /// one pooled identity per [`IdentitySetup`], each configured from its own values first. The client's own
    /// credentials are the first identity's, so a pool needs nothing configured beside it. An identity's missing or
    /// bad credential is [`douyin_core::Error::Credential`] naming the identity.
    pub fn configure<D: Domain>(
        &self,
        configured: impl Fn(
            &dyn Fn(&'static str) -> Option<Secret>,
        ) -> Result<ClientBuilder<D>, douyin_core::Error<D::Code>>,
    ) -> Result<ClientBuilder<D>, douyin_core::Error<D::Code>> {
        let first = self.identities.first();
        let mut builder = configured(&|name| self.value_of(first, name))?;
        for identity in &self.identities {
            let own =
                configured(&|name| self.value_of(Some(identity), name)).map_err(|e| match e {
                    douyin_core::Error::Credential { name, reason } => {
                        douyin_core::Error::Credential {
                            name,
                            reason: format!(
                                "identity `{}` of --identities: {reason}",
                                identity.name
                            ),
                        }
                    }
                    other => other,
                })?;
            let mut pooled = own.into_identity(identity.name.clone());
            if let Some(proxy) = &identity.proxy {
                pooled = pooled.proxy(proxy.clone());
            }
            builder = builder.identity(pooled);
        }
        Ok(builder)
    }

    /// `identity`'s own value of credential `name`, else the configured one.
    fn value_of(&self, identity: Option<&IdentitySetup>, name: &str) -> Option<Secret> {
        identity
            .and_then(|i| i.values.get(name).cloned())
            .or_else(|| self.value(name))
    }

    /// The configured value of credential `name`.
    pub fn value(&self, name: &str) -> Option<Secret> {
        self.values.get(name).cloned()
    }
}

/// What the generated commands need from the hand-written CLI, and all they call of it: clients, output,
/// `--all-pages`, links, errors (compare progenitor's `CliConfig`).
pub trait Host {
    /// What a failed run returns.
    type Error;

    /// A usage problem (a bad argument, an unknown operation).
    fn usage(&self, message: String) -> Self::Error;

    /// What the client of `domain` is built from.
    fn client_setup(&self, domain: &'static str) -> Result<ClientSetup, Self::Error>;

    /// The client from `setup` and `configure(&setup)` (the generated `Client::configured` over `setup`'s values),
    /// which a host that keeps its clients (`douyin serve`) calls only for the first.
    fn build_client<D, C>(
        &self,
        domain: &'static str,
        setup: ClientSetup,
        configure: impl FnOnce(&ClientSetup) -> Result<ClientBuilder<D>, douyin_core::Error<D::Code>>,
    ) -> Result<C, Self::Error>
    where
        D: Domain,
        C: From<douyin_core::Client<D>>;

    /// Called before an operation is sent, with the arguments as given.
    fn announce(&self, call: Call<'_>, m: &ArgMatches);

    /// Prints a decoded response, or turns the client's error into the host's.
    fn respond<T: Serialize, C: ErrorCode>(
        &self,
        result: Result<T, douyin_core::Error<C>>,
    ) -> Result<(), Self::Error>;

    /// Prints a body in a text format (not JSON) as received, or turns the client's error into the host's.
    fn respond_text<C: ErrorCode>(
        &self,
        result: Result<String, douyin_core::Error<C>>,
    ) -> Result<(), Self::Error>;

    /// `--all-pages`: fetches pages with `fetch(cursor)` (`None`: the arguments' own cursor) until the walk ends,
    /// printing the items.
    fn all_pages<I, C, F, Fut>(
        &self,
        paging: Paging,
        fetch: F,
    ) -> impl Future<Output = Result<(), Self::Error>>
    where
        I: Serialize,
        C: ErrorCode,
        F: FnMut(Option<i64>) -> Fut,
        Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>;

    /// The long help of `--all-pages` for an operation whose cursor is set with `cursor_flag`.
    fn paging_help(cursor_flag: &str) -> String;

    /// The id `text` names when it is a link or share text of `link.kind` (short links followed), else `text` as
    /// given.
    fn link(&self, link: Link, text: String) -> impl Future<Output = Result<String, Self::Error>>;
}

/// Something done with one domain's operation registry, whatever its error-code type (`check-capture`).
pub trait WithOperations {
    /// What it gives.
    type Output;
    /// Does it with `domain`'s registry.
    fn with<C: ErrorCode>(
        self,
        domain: &'static str,
        operations: &'static [OperationEntry<C>],
    ) -> Self::Output;
}

/// One value of argument `id`.
pub fn one<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Option<T> {
    m.try_get_one::<T>(id).ok().flatten().cloned()
}

/// Every value of a list argument `id` (repeated, or comma-separated where the flag allows it).
pub fn many<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Option<Vec<T>> {
    m.try_get_many::<T>(id)
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
}

/// An argument given as JSON, decoded into the parameter's generated type.
pub fn json<H: Host, T: DeserializeOwned>(
    host: &H,
    m: &ArgMatches,
    id: &str,
    flag: &str,
) -> Result<Option<T>, H::Error> {
    one::<String>(m, id)
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| host.usage(format!("{flag}: not valid JSON for it: {e}")))
        })
        .transpose()
}

/// A list argument of JSON items: each occurrence one item, or one occurrence holding a JSON array.
pub fn json_list<H: Host, T: DeserializeOwned>(
    host: &H,
    m: &ArgMatches,
    id: &str,
    flag: &str,
) -> Result<Option<Vec<T>>, H::Error> {
    let Some(values) = many::<String>(m, id) else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| host.usage(format!("{flag}: not valid JSON for it: {e}"));
    if let [only] = values.as_slice() {
        if only.trim_start().starts_with('[') {
            return serde_json::from_str(only).map(Some).map_err(bad);
        }
    }
    values
        .iter()
        .map(|v| serde_json::from_str(v).map_err(bad))
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

/// The values of a parameter that also takes links (its flag, or the operation's positional argument), each turned
/// by the host into the id it names.
pub async fn linked<H: Host>(
    host: &H,
    m: &ArgMatches,
    link: Link,
    ids: &[&str],
) -> Result<Option<Vec<String>>, H::Error> {
    let texts: Vec<String> = ids
        .iter()
        .filter_map(|id| many::<String>(m, id))
        .flatten()
        .collect();
    if texts.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(texts.len());
    for text in texts {
        out.push(host.link(link, text).await?);
    }
    Ok(Some(out))
}

/// An id a link resolved to, for an integer parameter.
pub fn integer<H: Host>(host: &H, flag: &str, id: String) -> Result<i64, H::Error> {
    id.parse().map_err(|_| {
        host.usage(format!(
            "{flag}: `{id}` is not a number (nor a link to one)"
        ))
    })
}

/// A required argument (clap enforces presence; this keeps a missing one an error rather than a panic).
pub fn required<H: Host, T>(host: &H, value: Option<T>, flag: &str) -> Result<T, H::Error> {
    value.ok_or_else(|| host.usage(format!("{flag} is required")))
}
