//! What a domain may add to the generated CLI, and the only way domain-specific code reaches it (compare smithy-rs's
//! `ClientCodegenDecorator`): its own subcommands under `douyin <domain>`, top-level commands, credentials for its
//! clients beyond the configured ones, and resolving links given for its parameters. Every hook has a default that
//! adds nothing; `crate::domains` lists the customizations.

use std::future::Future;
use std::pin::Pin;

use clap::{Arg, ArgMatches, Command};
use douyin_core::Credentials;

use crate::context::Ctx;
use crate::generated::{CommonArgs, Link};
use crate::support::CliError;

/// A command's work, run on the CLI's single-threaded runtime.
pub type Work<'a, T> = Pin<Box<dyn Future<Output = Result<T, CliError>> + 'a>>;

/// Work that `douyin serve` may run on any thread of its runtime: resolving a link, as every operation given one
/// does (a `Send` future spares each request a hop to a single-threaded runtime).
pub type SendWork<'a, T> = Pin<Box<dyn Future<Output = Result<T, CliError>> + Send + 'a>>;

/// One domain's additions; every method but [`Customization::domain`] defaults to adding nothing.
pub trait Customization: Sync {
    /// The domain's name, as its spec gives it.
    fn domain(&self) -> &'static str;

    /// Subcommands of `douyin <domain>` besides the generated operations.
    fn subcommands(&self) -> Vec<Command> {
        Vec::new()
    }

    /// Runs subcommand `name` of `douyin <domain>` if it is one of [`Customization::subcommands`].
    fn run_subcommand<'a>(
        &'a self,
        name: &str,
        m: &'a ArgMatches,
        common: &'a CommonArgs,
    ) -> Option<Work<'a, ()>> {
        let _ = (name, m, common);
        None
    }

    /// Top-level commands (`douyin resolve`, …); `common` are the common options, for commands that call the domain.
    fn commands(&self, common: &[Arg]) -> Vec<Command> {
        let _ = common;
        Vec::new()
    }

    /// Runs top-level command `name` if it is one of [`Customization::commands`].
    fn run_command<'a>(&'a self, name: &str, m: &'a ArgMatches) -> Option<Work<'a, ()>> {
        let _ = (name, m);
        None
    }

    /// Credentials for the domain's clients that the configured values do not give (tokens from a token file).
    fn credentials(&self, ctx: &Ctx) -> Result<Option<Box<dyn Credentials>>, CliError> {
        let _ = ctx;
        Ok(None)
    }

    /// What a link or share text of the domain points at, as JSON (`douyin resolve`, served as `resolve`); `None`
    /// when the domain has no links.
    fn describe_link<'a>(
        &'a self,
        ctx: &'a Ctx,
        text: String,
    ) -> Option<SendWork<'a, serde_json::Value>> {
        let _ = (ctx, text);
        None
    }

    /// The id `text` names for a parameter that takes links; by default `text` itself.
    fn link<'a>(&'a self, ctx: &'a Ctx, link: Link, text: String) -> SendWork<'a, String> {
        let _ = (ctx, link);
        Box::pin(async move { Ok(text) })
    }

    /// The command whose arguments a download job of `douyin serve` takes (the domain's `download`), if the domain
    /// downloads; `common` are the common options.
    fn job_command(&self, common: &[Arg]) -> Option<Command> {
        let _ = common;
        None
    }

    /// Runs a download job: `m` matched [`Customization::job_command`], `common` are the server's common options;
    /// progress and files go to `sink`, and the answer is one line per failed item.
    fn run_job<'a>(
        &'a self,
        common: &'a CommonArgs,
        m: &'a ArgMatches,
        sink: &'a dyn JobSink,
    ) -> Option<Work<'a, Vec<String>>> {
        let _ = (common, m, sink);
        None
    }
}

/// Where a download job reports instead of a terminal (`douyin serve`'s jobs): the batch's totals as they change and
/// each file once it is complete.
pub trait JobSink: Send + Sync {
    /// The current batch: items finished and in all, bytes on disk and the sizes known so far.
    fn progress(&self, done: usize, items: usize, bytes: u64, total: u64);
    /// A complete file (fetched or already present) of `size` bytes.
    fn file(&self, path: &std::path::Path, size: u64);
}
