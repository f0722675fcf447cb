//! The generic half asks the domains' customizations (the table `crate::domains::ALL`) by domain name: the
//! commands they add, the credentials their clients take, the ids their links name. Nothing here names a domain.

use clap::{Arg, ArgMatches, Command};
use douyin_core::Credentials;

use crate::context::Ctx;
use crate::customize::{Customization, JobSink, Work};
use crate::domains::ALL;
use crate::generated::{CommonArgs, Link};
use crate::support::CliError;

/// The customization of `domain`, if it has one.
fn of(domain: &str) -> Option<&'static dyn Customization> {
    ALL.iter().copied().find(|c| c.domain() == domain)
}

/// `douyin <domain>`'s generated command with the domain's own subcommands added.
pub fn extend(domain: Command) -> Command {
    match of(domain.get_name()) {
        Some(c) => domain.subcommands(c.subcommands()),
        None => domain,
    }
}

/// Every domain's top-level commands.
pub fn commands(common: &[Arg]) -> Vec<Command> {
    ALL.iter().flat_map(|c| c.commands(common)).collect()
}

/// Runs top-level command `name` if a domain added it.
pub fn run_command<'a>(name: &str, m: &'a ArgMatches) -> Option<Work<'a, ()>> {
    ALL.iter().find_map(|c| c.run_command(name, m))
}

/// Runs `douyin <domain> <name>` if the domain added that subcommand.
pub fn run_subcommand<'a>(
    domain: &str,
    name: &str,
    m: &'a ArgMatches,
    common: &'a CommonArgs,
) -> Option<Work<'a, ()>> {
    of(domain)?.run_subcommand(name, m, common)
}

/// The credentials `domain`'s customization adds to its clients, if any.
pub fn credentials(ctx: &Ctx, domain: &str) -> Result<Option<Box<dyn Credentials>>, CliError> {
    of(domain).map_or(Ok(None), |c| c.credentials(ctx))
}

/// The id `text` names for a parameter of `link.domain` that takes links; `text` itself when the domain resolves no
/// links.
pub async fn link(ctx: &Ctx, link: Link, text: String) -> Result<String, CliError> {
    match of(link.domain) {
        Some(c) => c.link(ctx, link, text).await,
        None => Ok(text),
    }
}

/// What a link or share text points at, by the first domain that describes links; `None` when none does.
pub async fn describe_link(ctx: &Ctx, text: String) -> Option<Result<serde_json::Value, CliError>> {
    let work = ALL
        .iter()
        .find_map(|c| c.describe_link(ctx, text.clone()))?;
    Some(work.await)
}

/// The command a download job's request fills in, from the first domain that downloads; `None` when none does.
pub fn job_command(common: &[Arg]) -> Option<Command> {
    ALL.iter().find_map(|c| c.job_command(common))
}

/// Runs a download job (`m` matched [`job_command`]) with the domain whose command it is.
pub fn run_job<'a>(
    common: &'a CommonArgs,
    m: &'a ArgMatches,
    sink: &'a dyn JobSink,
) -> Option<Work<'a, Vec<String>>> {
    ALL.iter().find_map(|c| c.run_job(common, m, sink))
}
