//! The hand-written side of the seam: [`Ctx`] implements the generated [`Host`] trait, the only way the generated
//! command modules reach this crate; clients get their domain's extra credentials and links their resolution from
//! the domains' customizations (`crate::hooks`).

use std::future::Future;

use clap::ArgMatches;
use douyin_core::{ClientBuilder, Domain, ErrorCode, Page};
use serde::Serialize;

use crate::context::Ctx;
use crate::generated::CommonArgs;
use crate::seam::{Call, ClientSetup, Host, Link, Paging};
use crate::support::{api_error, write_stdout, CliError};

impl Host for Ctx {
    type Error = CliError;

    fn usage(&self, message: String) -> CliError {
        CliError::usage(message)
    }

    fn client_setup(&self, domain: &'static str) -> Result<ClientSetup, CliError> {
        crate::clients::setup(self, domain, crate::hooks::credentials(self, domain)?)
    }

    fn build_client<D, C>(
        &self,
        domain: &'static str,
        setup: ClientSetup,
        configure: impl FnOnce(&ClientSetup) -> Result<ClientBuilder<D>, douyin_core::Error<D::Code>>,
    ) -> Result<C, CliError>
    where
        D: Domain,
        C: From<douyin_core::Client<D>>,
    {
        crate::clients::build(self, domain, configure(&setup), setup)
    }

    /// With `--verbose`: which operation runs where, with which arguments, and where each credential comes from
    /// (never its value).
    fn announce(&self, call: Call<'_>, m: &ArgMatches) {
        if !self.verbose {
            return;
        }
        self.note(&format!(
            "{} {}: {} {}{}",
            call.domain, call.operation, call.method, call.base_url, call.path
        ));
        let mut args = Vec::new();
        for id in m.ids().map(clap::Id::as_str) {
            if CommonArgs::IDS.contains(&id)
                || m.value_source(id) != Some(clap::parser::ValueSource::CommandLine)
            {
                continue;
            }
            if let Ok(Some(raw)) = m.try_get_raw(id) {
                let values: Vec<String> = raw.map(|v| v.to_string_lossy().into_owned()).collect();
                if call.positional == Some(id) {
                    args.push(values.join(" "));
                } else {
                    args.push(format!("--{}={}", id.replace('_', "-"), values.join(",")));
                }
            }
        }
        self.note(&format!(
            "arguments: {}",
            if args.is_empty() {
                "(none)".to_owned()
            } else {
                args.join(" ")
            }
        ));
        self.note(&format!("config file: {}", self.config.describe_file()));
        self.note(&format!(
            "credentials: {}",
            self.config.describe_credentials(call.domain)
        ));
        self.note(&format!(
            "attempts at most {}, timeout {:?}",
            self.max_attempts, self.timeout
        ));
    }

    fn respond<T: Serialize, C: ErrorCode>(
        &self,
        result: Result<T, douyin_core::Error<C>>,
    ) -> Result<(), CliError> {
        self.print_response(&result.map_err(api_error)?)
    }

    fn respond_text<C: ErrorCode>(
        &self,
        result: Result<String, douyin_core::Error<C>>,
    ) -> Result<(), CliError> {
        let text = result.map_err(api_error)?;
        self.note(&format!("text response: {} bytes", text.len()));
        write_stdout(&text)
    }

    async fn all_pages<I, C, F, Fut>(&self, paging: Paging, fetch: F) -> Result<(), CliError>
    where
        I: Serialize,
        C: ErrorCode,
        F: FnMut(Option<i64>) -> Fut,
        Fut: Future<Output = Result<Page<I>, douyin_core::Error<C>>>,
    {
        crate::pages::run(self, paging, fetch).await
    }

    fn paging_help(cursor_flag: &str) -> String {
        crate::pages::help(cursor_flag)
    }

    async fn link(&self, link: Link, text: String) -> Result<String, CliError> {
        crate::hooks::link(self, link, text).await
    }
}
