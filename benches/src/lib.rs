//! Shared pieces of the douyin-rs benchmarks (`cargo bench -p douyin-bench`; figures in `docs/performance.md`):
//! the real capture, variants of douyin-web's generated types for the decode baselines, a mock server in a child
//! process, and peak-RSS reading.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The real `aweme/post` capture (1.17 MB) from `specs/web/captures/`.
pub fn aweme_post_fixture() -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/web/captures/web-aweme-post.json");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `impl_lossless!` without the lossless part: the same generated visitor, but a key the spec does not know has its
/// value skipped with `IgnoredAny` and nothing is stored. Used by [`visitor_ignoring`].
#[macro_export]
macro_rules! impl_ignoring {
    ($ty:ident { $($field:ident : $wire:literal),* $(,)? } $($response:ident)?) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str(concat!("object ", stringify!($ty)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$ty, A::Error> {
                        #[allow(non_camel_case_types)]
                        enum F { $($field,)* __Unknown }
                        fn field(key: &str) -> F {
                            match key {
                                $($wire => F::$field,)*
                                _ => F::__Unknown,
                            }
                        }
                        let mut out = <$ty as ::std::default::Default>::default();
                        while let ::std::option::Option::Some(key) = map.next_key::<::douyin_core::lossless::Key<'de>>()? {
                            match field(key.as_str()) {
                                $(F::$field => out.$field = map.next_value()?,)*
                                F::__Unknown => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::std::result::Result::Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

/// The unknown-field store as it was before drift tolerance (issue 11): inline, two growable buffers. Kept here only
/// as the baseline of [`before_drift`].
#[derive(Clone, Debug, Default)]
pub struct ExtraBefore {
    names: String,
    values: Vec<(usize, Box<serde_json::value::RawValue>)>,
}

impl ExtraBefore {
    /// Records an unknown field, as `Extra::push_str` did.
    #[inline]
    pub fn push_str(&mut self, key: &str, value: Box<serde_json::value::RawValue>) {
        self.names.push_str(key);
        self.values.push((self.names.len(), value));
    }

    /// Number of unknown fields.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// `impl_lossless!`'s decoder as it was before drift tolerance (issue 11): strict, `out.field = map.next_value()?`
/// for known keys, `RawValue` for unknown ones. The baseline of the "within 5 % of today's speed" target.
#[macro_export]
macro_rules! impl_lossless_before {
    ($ty:ident { $($field:ident : $wire:literal),* $(,)? } $($response:ident)?) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str(concat!("object ", stringify!($ty)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$ty, A::Error> {
                        #[allow(non_camel_case_types)]
                        enum F { $($field,)* __Unknown }
                        fn field(key: &str) -> F {
                            match key {
                                $($wire => F::$field,)*
                                _ => F::__Unknown,
                            }
                        }
                        let mut out = <$ty as ::std::default::Default>::default();
                        while let ::std::option::Option::Some(key) = map.next_key::<::douyin_core::lossless::Key<'de>>()? {
                            match field(key.as_str()) {
                                $(F::$field => out.$field = map.next_value()?,)*
                                F::__Unknown => {
                                    let raw = map.next_value()?;
                                    out.unknown_fields.push_str(key.as_str(), raw);
                                }
                            }
                        }
                        ::std::result::Result::Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

/// douyin-web's generated types as they were before drift tolerance: nested structs inline (not boxed), the inline
/// unknown-field store and the strict decoder (build.rs).
#[allow(dead_code, clippy::all)]
pub mod before_drift {
    include!(concat!(env!("OUT_DIR"), "/before_drift.rs"));
}

/// douyin-web's generated types with the generated visitor, unknown fields skipped (build.rs).
#[allow(dead_code, unused_qualifications, clippy::all)]
pub mod visitor_ignoring {
    include!(concat!(env!("OUT_DIR"), "/visitor_ignoring.rs"));
}

/// douyin-web's generated types with `#[derive(Deserialize)]`, unknown fields skipped (build.rs).
#[allow(dead_code, clippy::all)]
pub mod derive_ignoring {
    include!(concat!(env!("OUT_DIR"), "/derive_ignoring.rs"));
}

/// douyin-web's generated types with `#[derive(Deserialize)]` and `#[serde(flatten)]` unknown fields (build.rs).
#[allow(dead_code, clippy::all)]
pub mod derive_flatten {
    include!(concat!(env!("OUT_DIR"), "/derive_flatten.rs"));
}

/// The environment variable that makes a bench binary serve as the mock instead of measuring: set by
/// [`MockProcess::start_self`] for its child, read by [`serve_if_mock_child`].
const MOCK_CHILD_ENV: &str = "DOUYIN_BENCH_MOCK_CHILD";

/// The mock server (`douyin-mock`) running in a child process, so the client being measured shares neither its
/// runtime nor its memory (the mock records every request). Stops when dropped.
pub struct MockProcess {
    child: Child,
    // Closing the child's stdin tells it to exit.
    stdin: Option<ChildStdin>,
    /// The web domain's base URL (`http://127.0.0.1:PORT/web`).
    pub web_base: String,
}

impl MockProcess {
    /// Starts `exe` (the `douyin-bench-mock` binary) with `args` and waits for its base URL.
    pub fn start(exe: &Path, args: &[&str]) -> MockProcess {
        Self::spawn(Command::new(exe).args(args), exe)
    }

    /// Starts this very executable as the mock (its `main` calls [`serve_if_mock_child`] first), so a binary run with
    /// `cargo run --bin …` needs no other binary built beside it.
    pub fn start_self(args: &[&str]) -> MockProcess {
        let me = std::env::current_exe().expect("current exe");
        Self::spawn(Command::new(&me).args(args).env(MOCK_CHILD_ENV, "1"), &me)
    }

    fn spawn(command: &mut Command, exe: &Path) -> MockProcess {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", exe.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("reading the mock's base URL");
        let web_base = line.trim().to_owned();
        assert!(
            web_base.starts_with("http://"),
            "the bench mock printed {line:?}"
        );
        MockProcess {
            stdin: child.stdin.take(),
            child,
            web_base,
        }
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// In a child started by [`MockProcess::start_self`]: serves the mock as [`serve_mock`] does with this process's
/// arguments, then exits. Elsewhere: returns at once.
pub fn serve_if_mock_child() {
    if std::env::var_os(MOCK_CHILD_ENV).is_some() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        serve_mock(&args);
        std::process::exit(0);
    }
}

/// Serves the mock: prints the web base URL on the first line of stdout, then serves until stdin closes (the parent
/// exits or drops its [`MockProcess`]). With `pages PAGES PAGE_SIZE`, web `comment_list` answers PAGES pages of
/// PAGE_SIZE synthetic comments; with `delay OPERATION MS`, web OPERATION answers after MS milliseconds.
///
/// # Panics
/// On other arguments, or when no port can be bound.
pub fn serve_mock(args: &[String]) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let server = douyin_mock::MockServer::start().await;
        match args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] => {}
            ["pages", pages, page_size] => server.set_scenario(
                "web",
                "comment_list",
                douyin_mock::Scenario::Pages {
                    pages: pages.parse().expect("PAGES"),
                    page_size: page_size.parse().expect("PAGE_SIZE"),
                },
            ),
            ["delay", operation, ms] => server.set_scenario(
                "web",
                operation,
                douyin_mock::Scenario::Delay(std::time::Duration::from_millis(
                    ms.parse().expect("MS"),
                )),
            ),
            _ => panic!("usage: douyin-bench-mock [pages PAGES PAGE_SIZE | delay OPERATION MS]"),
        }
        println!("{}", server.base_url("web"));
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin watcher");
        drop(server);
    });
}

/// A web client of the mock at `base`, with the credentials the mock accepts by default.
pub fn web_client(base: &str) -> douyin_web::Client {
    web_builder(base).build().expect("client builds").into()
}

/// The builder of [`web_client`], for variants (a paced client).
pub fn web_builder(base: &str) -> douyin_core::ClientBuilder<douyin_web::Web> {
    let session =
        douyin_web::WebSession::with_default_user_agent("sessionid=test").ms_token("test-ms-token");
    douyin_web::builder(session, douyin_web::XBogusSigner::default()).base_url(base)
}

/// A field of `/proc/self/status` in kB (`VmHWM`: peak resident set; `VmRSS`: current).
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}
