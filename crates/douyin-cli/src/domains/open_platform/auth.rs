//! `douyin open-platform auth …`: the OAuth flow from the command line (authorization URL, code exchange, status,
//! client token) and the credentials every other Open Platform command uses: tokens from the token file, refreshed
//! as needed. The client key and secret come from the environment or the config file like every credential.
//!
//! Token file: `DOUYIN_OPEN_PLATFORM_TOKEN_FILE`, else `$XDG_STATE_HOME/douyin/open-platform-tokens.json`, else
//! `~/.local/state/douyin/…`, else next to the config file; created 0600, replaced atomically.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_core::{BoxFuture, Credentials, Domain, Secret};
use douyin_open_platform::credential_names::{
    ACCESS_TOKEN, CLIENT_KEY, CLIENT_SECRET, CLIENT_TOKEN, CODE, REFRESH_TOKEN,
};
use douyin_open_platform::{
    AuthError, ClientTokenProvider, FileStore, OAuthApp, OAuthCredentials, OpenPlatform,
    TokenStore, UserTokenProvider,
};
use serde_json::json;

use crate::config::{default_file, Config};
use crate::context::Ctx;
use crate::generated::CommonArgs;
use crate::support::{write_stdout, CliError};

/// The domain that has the `auth` command.
pub const DOMAIN: &str = OpenPlatform::NAME;
/// The command's name under it.
pub const COMMAND: &str = "auth";

/// The `auth` command under `douyin open-platform`.
pub fn command() -> Command {
    Command::new(COMMAND)
        .about("OAuth: authorization URL, code exchange, token status, client token")
        .long_about(
            "OAuth for the Open Platform. `auth url` prints the page a user opens to authorize the application; \
             the code it sends to the redirect URI goes to `auth exchange`, which stores the user's tokens in the \
             token file. Every other open-platform command then uses them and refreshes them when they expire. \
             `auth status` shows scopes and expiry times (never token values); `auth client-token` fetches the \
             application's own token.\n\nThe client key and secret come from DOUYIN_OPEN_PLATFORM_CLIENT_KEY / \
             DOUYIN_OPEN_PLATFORM_CLIENT_SECRET (or DOUYIN_CLIENT_KEY / DOUYIN_CLIENT_SECRET) or `client_key` / \
             `client_secret` under [open-platform] in the config file, never from flags.\n\nToken file: \
             DOUYIN_OPEN_PLATFORM_TOKEN_FILE, else $XDG_STATE_HOME/douyin/open-platform-tokens.json, else \
             ~/.local/state/douyin/open-platform-tokens.json (mode 0600).",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("url")
                .about("Print the authorization URL, with a random state")
                .arg(
                    Arg::new("scope")
                        .long("scope")
                        .required_unless_present("for")
                        .action(ArgAction::Append)
                        .value_delimiter(',')
                        .help("Scope to request (repeat, or separate with commas)"),
                )
                .arg(
                    Arg::new("for")
                        .long("for")
                        .value_name("COMMAND")
                        .action(ArgAction::Append)
                        .value_delimiter(',')
                        .help("Also request the scopes the spec records for these open-platform commands (`media-list`, `user-info`; repeat, or separate with commas)"),
                )
                .arg(
                    Arg::new("redirect_uri")
                        .long("redirect-uri")
                        .required(true)
                        .value_name("URL")
                        .help("Where the code is sent: the redirect URL configured for the application"),
                )
                .arg(
                    Arg::new("state")
                        .long("state")
                        .value_name("TEXT")
                        .help("The state to send back with the code [default: 128 random bits]"),
                ),
        )
        .subcommand(
            Command::new("exchange")
                .about("Exchange an authorization code for the user's tokens and store them")
                .arg(
                    Arg::new(CODE)
                        .long(CODE)
                        .required(true)
                        .value_name("CODE")
                        .help("The code the redirect carried (`-` reads it from stdin)"),
                ),
        )
        .subcommand(Command::new("status").about("Scopes and expiry of the stored tokens (never their values)"))
        .subcommand(
            Command::new("client-token")
                .about("Fetch the application's client token (or reuse the stored one while it lasts)")
                .arg(
                    Arg::new("print_token")
                        .long("print-token")
                        .action(ArgAction::SetTrue)
                        .help("Print the token itself on stdout (for piping), instead of its expiry"),
                ),
        )
}

/// The token file (see the module docs).
pub fn token_file() -> Option<PathBuf> {
    let var = |n: &str| {
        std::env::var_os(n)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    const NAME: &str = "open-platform-tokens.json";
    var("DOUYIN_OPEN_PLATFORM_TOKEN_FILE")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("douyin").join(NAME)))
        .or_else(|| var("HOME").map(|h| h.join(".local/state/douyin").join(NAME)))
        .or_else(|| default_file().and_then(|f| f.parent().map(|d| d.join(NAME))))
}

fn store() -> Result<Arc<FileStore>, CliError> {
    let path = token_file().ok_or_else(|| {
        CliError::usage("no place for the token file: set DOUYIN_OPEN_PLATFORM_TOKEN_FILE or HOME")
    })?;
    Ok(Arc::new(FileStore::new(path)))
}

fn app(ctx: &Ctx) -> Result<OAuthApp, CliError> {
    let secret = ctx.config.require(DOMAIN, CLIENT_SECRET)?;
    app_with(ctx, secret)
}

/// The application with `secret` (the authorization URL needs none: it is built with an empty one).
fn app_with(ctx: &Ctx, secret: Secret) -> Result<OAuthApp, CliError> {
    let key = ctx.config.require(DOMAIN, CLIENT_KEY)?;
    let mut app = OAuthApp::new(key, secret).timeout(ctx.timeout);
    if let Some(url) = ctx.base_url_for(DOMAIN)? {
        app = app.base_url(url);
    }
    Ok(app)
}

fn auth_error(e: AuthError) -> CliError {
    match e {
        AuthError::ReauthorizationNeeded { .. } => CliError::failure(format!(
            "{e} (`douyin open-platform auth url --scope …`, then `auth exchange --code …`)"
        )),
        other => CliError::failure(other.to_string()),
    }
}

/// `scopes` plus the scopes the spec records for `commands` (kebab- or snake-case operation names), each once, in
/// order; a command without a recorded scope adds none, an unknown command is a usage error.
fn with_command_scopes<'a>(
    mut scopes: Vec<&'a str>,
    commands: &[&str],
) -> Result<Vec<&'a str>, CliError> {
    for command in commands {
        let name = command.replace('-', "_");
        let op = douyin_open_platform::OPERATIONS
            .iter()
            .find(|op| op.name == name)
            .ok_or_else(|| {
                let known: Vec<String> = douyin_open_platform::OPERATIONS
                    .iter()
                    .map(|op| op.name.replace('_', "-"))
                    .collect();
                CliError::usage(format!(
                    "auth url --for {command}: no such open-platform command; commands: {}",
                    known.join(", ")
                ))
            })?;
        for scope in op.scope.into_iter().flat_map(|s| s.split(',')) {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
    }
    Ok(scopes)
}

/// Expiry as JSON: when, and how many seconds are left (0 once expired).
///
/// Keys go in sorted order here and in [`status_json`]: serde_json's `preserve_order` may be unified on by another
/// workspace member, and the output must not depend on which packages a build includes.
fn expiry(expires_ms: u64, now_ms: u64) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("expired".to_owned(), json!(now_ms >= expires_ms));
    out.insert(
        "expires_at".to_owned(),
        json!(crate::xbogus::utc(
            u32::try_from(expires_ms / 1000).unwrap_or(u32::MAX)
        )),
    );
    out.insert(
        "expires_in".to_owned(),
        json!(expires_ms.saturating_sub(now_ms) / 1000),
    );
    serde_json::Value::Object(out)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `auth status` as JSON: never a token value.
fn status_json(tokens: &douyin_open_platform::Tokens) -> serde_json::Value {
    let now = now_ms();
    // Each token's expiry under its credential's name.
    let user = tokens.user.as_ref().map(|u| {
        let mut user = serde_json::Map::new();
        user.insert(ACCESS_TOKEN.to_owned(), expiry(u.access_expires_ms, now));
        user.insert("open_id".to_owned(), json!(u.open_id));
        user.insert(REFRESH_TOKEN.to_owned(), expiry(u.refresh_expires_ms, now));
        let scope: Vec<&str> = u.scope.split(',').filter(|s| !s.is_empty()).collect();
        user.insert("scope".to_owned(), json!(scope));
        user
    });
    let mut status = serde_json::Map::new();
    status.insert(
        CLIENT_TOKEN.to_owned(),
        json!(tokens.client.as_ref().map(|c| expiry(c.expires_ms, now))),
    );
    status.insert("user".to_owned(), json!(user));
    serde_json::Value::Object(status)
}

/// Runs `douyin open-platform auth <sub>`.
pub async fn run(m: &ArgMatches, config: Config) -> Result<(), CliError> {
    let (sub, leaf) = m
        .subcommand()
        .ok_or_else(|| CliError::usage("auth: a subcommand is required"))?;
    let ctx = Ctx::new(&CommonArgs::from_matches(leaf), config)?;
    match sub {
        "url" => {
            let scopes: Vec<&str> = leaf
                .get_many::<String>("scope")
                .into_iter()
                .flatten()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            let commands: Vec<&str> = leaf
                .get_many::<String>("for")
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let scopes = with_command_scopes(scopes, &commands)?;
            let redirect = leaf
                .get_one::<String>("redirect_uri")
                .map_or("", String::as_str);
            let state = match leaf.get_one::<String>("state") {
                Some(s) => s.clone(),
                None => douyin_open_platform::random_state(),
            };
            let url = app_with(&ctx, Secret::new(""))?.authorization_url(&scopes, redirect, &state);
            eprintln!("state: {state} (the redirect must carry it back)");
            write_stdout(&url)
        }
        "exchange" => {
            let raw = leaf.get_one::<String>(CODE).map_or("", String::as_str);
            let code = if raw == "-" {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| CliError::failure(format!("stdin: {e}")))?;
                line.trim().to_owned()
            } else {
                raw.to_owned()
            };
            if code.is_empty() {
                return Err(CliError::usage("auth exchange: the code is empty"));
            }
            let store = store()?;
            ctx.note(&format!("token file: {}", store.path().display()));
            let provider = UserTokenProvider::new(app(&ctx)?, store.clone());
            provider
                .exchange_code(&Secret::new(code))
                .await
                .map_err(auth_error)?;
            let tokens = store.load().map_err(|e| CliError::failure(e.to_string()))?;
            ctx.print_response(&status_json(&tokens))
        }
        "status" => {
            let store = store()?;
            ctx.note(&format!("token file: {}", store.path().display()));
            let tokens = store.load().map_err(|e| CliError::failure(e.to_string()))?;
            ctx.print_response(&status_json(&tokens))
        }
        "client-token" => {
            let store = store()?;
            let provider = ClientTokenProvider::new(app(&ctx)?, store.clone());
            let token = provider.token().await.map_err(auth_error)?;
            if leaf.get_flag("print_token") {
                return write_stdout(token.token.expose());
            }
            ctx.print_response(&expiry(token.expires_ms, now_ms()))
        }
        other => Err(CliError::usage(format!("auth: unknown subcommand {other}"))),
    }
}

/// The credentials of every other Open Platform command: a token set in the environment or config file is used as
/// is; otherwise user and client tokens come from the token file and refresh themselves (which needs the client key
/// and secret). The OAuth operations' own credentials (key, secret, code, refresh token) come from the config.
pub fn credentials(ctx: &Ctx) -> Result<impl Credentials, CliError> {
    let configured = |name| ctx.config.credential(DOMAIN, name).cloned();
    let mut fixed = douyin_core::StaticCredentials::new();
    for name in douyin_open_platform::credential_names::ALL {
        if let Some(v) = configured(name) {
            fixed = fixed.with(name, v);
        }
    }
    let mut oauth = OAuthCredentials::new();
    if let (Some(_), Some(_)) = (configured(CLIENT_KEY), configured(CLIENT_SECRET)) {
        let store: Arc<dyn TokenStore> = store()?;
        let app = app(ctx)?;
        if configured(ACCESS_TOKEN).is_none() {
            oauth = oauth.user(Arc::new(UserTokenProvider::new(app.clone(), store.clone())));
        }
        if configured(CLIENT_TOKEN).is_none() {
            oauth = oauth.client(Arc::new(ClientTokenProvider::new(app, store)));
        }
    }
    Ok(CliCredentials { fixed, oauth })
}

/// Configured values first, then the token providers.
struct CliCredentials {
    fixed: douyin_core::StaticCredentials,
    oauth: OAuthCredentials,
}

impl Credentials for CliCredentials {
    fn get(&self, name: &'static str) -> BoxFuture<'_, Result<Secret, String>> {
        Box::pin(async move {
            match self.fixed.get(name).await {
                Ok(v) => Ok(v),
                Err(_) => self.oauth.get(name).await.map_err(|e| {
                    if e.starts_with("no provider") {
                        format!(
                            "not configured: set it in the environment or config file, or set client_key and \
                             client_secret and run `douyin {DOMAIN} {COMMAND} exchange` ({e})"
                        )
                    } else {
                        e
                    }
                }),
            }
        })
    }

    fn refresh_rejected<'a>(
        &'a self,
        name: &'static str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.oauth.refresh_rejected(name, rejected)
    }
}
