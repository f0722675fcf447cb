//! Where OAuth tokens live between runs: the [`TokenStore`] trait, an in-memory store and a file store (mode 0600,
//! written atomically through a temporary file and a rename).

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::Secret;

/// A user's tokens from `/oauth/access_token/`, with absolute expiry times (milliseconds since the Unix epoch).
#[derive(Clone, PartialEq, Eq)]
pub struct UserTokens {
    /// The user's id for this application.
    pub open_id: String,
    /// The scopes the user granted, comma-separated as the service sends them.
    pub scope: String,
    /// The access token (`act.…`).
    pub access_token: Secret,
    /// When the access token was obtained.
    pub access_obtained_ms: u64,
    /// When the access token expires.
    pub access_expires_ms: u64,
    /// The refresh token (`rft.…`).
    pub refresh_token: Secret,
    /// When the refresh token was obtained (or last renewed).
    pub refresh_obtained_ms: u64,
    /// When the refresh token expires.
    pub refresh_expires_ms: u64,
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokens")
            .field("open_id", &self.open_id)
            .field("scope", &self.scope)
            .field("access_expires_ms", &self.access_expires_ms)
            .field("refresh_expires_ms", &self.refresh_expires_ms)
            .finish_non_exhaustive()
    }
}

/// The application's client token from `/oauth/client_token/`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientTokenRecord {
    /// The client token (`clt.…`).
    pub token: Secret,
    /// When it was obtained.
    pub obtained_ms: u64,
    /// When it expires.
    pub expires_ms: u64,
}

impl fmt::Debug for ClientTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTokenRecord")
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}

/// Everything a store keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    /// The authorized user's tokens, if a code was exchanged.
    pub user: Option<UserTokens>,
    /// The last client token, if one was fetched.
    pub client: Option<ClientTokenRecord>,
}

/// Why a store could not load or save. Never contains token values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading, writing or renaming the file failed.
    #[error("token store {path}: {source}")]
    Io {
        /// The store's file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a token store this version reads.
    #[error("token store {path}: not a token file ({reason}); remove it and authorize again")]
    Corrupt {
        /// The store's file.
        path: PathBuf,
        /// What is wrong, without the file's content.
        reason: String,
    },
}

/// Keeps tokens across runs. Implementations must not log or print token values.
pub trait TokenStore: Send + Sync + 'static {
    /// The stored tokens (empty when nothing was stored yet).
    fn load(&self) -> Result<Tokens, StoreError>;

    /// Replaces the stored tokens.
    fn save(&self, tokens: &Tokens) -> Result<(), StoreError>;
}

/// Tokens kept in memory only (lost when the process ends).
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<Tokens>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Tokens, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }

    fn save(&self, tokens: &Tokens) -> Result<(), StoreError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = tokens.clone();
        Ok(())
    }
}

/// Tokens in a JSON file readable by its owner only (0600 on Unix); every save writes a temporary file next to it
/// and renames it over the old one, so a crash never leaves half a file.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path` (created on the first save, with its parent directories).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// The file's JSON form; the only place token values are written out.
#[derive(Serialize, Deserialize)]
struct FileForm {
    version: u32,
    #[serde(default)]
    user: Option<UserForm>,
    #[serde(default)]
    client: Option<ClientForm>,
}

#[derive(Serialize, Deserialize)]
struct UserForm {
    open_id: String,
    scope: String,
    access_token: String,
    access_obtained_ms: u64,
    access_expires_ms: u64,
    refresh_token: String,
    refresh_obtained_ms: u64,
    refresh_expires_ms: u64,
}

#[derive(Serialize, Deserialize)]
struct ClientForm {
    token: String,
    obtained_ms: u64,
    expires_ms: u64,
}

const FILE_VERSION: u32 = 1;

impl TokenStore for FileStore {
    fn load(&self) -> Result<Tokens, StoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tokens::default()),
            Err(e) => return Err(self.io(e)),
        };
        // serde_json's message names a line and column, never the value it choked on.
        let form: FileForm = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            reason: format!("line {} column {}", e.line(), e.column()),
        })?;
        if form.version != FILE_VERSION {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("version {}, expected {FILE_VERSION}", form.version),
            });
        }
        Ok(Tokens {
            user: form.user.map(|u| UserTokens {
                open_id: u.open_id,
                scope: u.scope,
                access_token: Secret::new(u.access_token),
                access_obtained_ms: u.access_obtained_ms,
                access_expires_ms: u.access_expires_ms,
                refresh_token: Secret::new(u.refresh_token),
                refresh_obtained_ms: u.refresh_obtained_ms,
                refresh_expires_ms: u.refresh_expires_ms,
            }),
            client: form.client.map(|c| ClientTokenRecord {
                token: Secret::new(c.token),
                obtained_ms: c.obtained_ms,
                expires_ms: c.expires_ms,
            }),
        })
    }

    fn save(&self, tokens: &Tokens) -> Result<(), StoreError> {
        let form = FileForm {
            version: FILE_VERSION,
            user: tokens.user.as_ref().map(|u| UserForm {
                open_id: u.open_id.clone(),
                scope: u.scope.clone(),
                access_token: u.access_token.expose().to_owned(),
                access_obtained_ms: u.access_obtained_ms,
                access_expires_ms: u.access_expires_ms,
                refresh_token: u.refresh_token.expose().to_owned(),
                refresh_obtained_ms: u.refresh_obtained_ms,
                refresh_expires_ms: u.refresh_expires_ms,
            }),
            client: tokens.client.as_ref().map(|c| ClientForm {
                token: c.token.expose().to_owned(),
                obtained_ms: c.obtained_ms,
                expires_ms: c.expires_ms,
            }),
        };
        let json = serde_json::to_vec_pretty(&form).map_err(|e| self.io(e.into()))?;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokens".to_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = write_private(&tmp, &json).and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.io(e));
        }
        Ok(())
    }
}

/// Creates `path` readable and writable by its owner only, writes `bytes` and syncs them to disk.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // A leftover temporary file from a crashed run keeps its old mode: set it again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}
