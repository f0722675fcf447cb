//! The web domain's own commands (`resolve` for share links, `download`, `session new`, `live record`) and its link
//! resolution for parameters that take share links, plugged into the CLI as [`Web`].

#[cfg(test)]
mod capture_checks;
pub mod download;
pub mod live;
pub mod live_chat;
pub mod live_room;
pub mod session;
pub mod share;

use clap::{Arg, ArgMatches, Command};
use douyin_core::Domain;

use crate::context::Ctx;
use crate::customize::{Customization, JobSink, SendWork, Work};
use crate::generated::{CommonArgs, Link};

/// What the web domain adds to the generated CLI.
pub struct Web;

impl Customization for Web {
    fn domain(&self) -> &'static str {
        douyin_web::Web::NAME
    }

    fn commands(&self, common: &[Arg]) -> Vec<Command> {
        vec![
            share::command(),
            download_command(common),
            session::command(common.to_vec()),
            live::command(common.to_vec()),
        ]
    }

    fn run_command<'a>(&'a self, name: &str, m: &'a ArgMatches) -> Option<Work<'a, ()>> {
        match name {
            share::COMMAND => Some(Box::pin(share::run(m))),
            download::COMMAND => Some(Box::pin(download::run(m))),
            session::COMMAND => Some(Box::pin(session::run(m))),
            live::COMMAND => Some(Box::pin(live::run(m))),
            _ => None,
        }
    }

    fn describe_link<'a>(
        &'a self,
        ctx: &'a Ctx,
        text: String,
    ) -> Option<SendWork<'a, serde_json::Value>> {
        Some(Box::pin(share::describe(ctx, text)))
    }

    fn link<'a>(&'a self, ctx: &'a Ctx, link: Link, text: String) -> SendWork<'a, String> {
        Box::pin(share::id_for(ctx, link, text))
    }

    fn job_command(&self, common: &[Arg]) -> Option<Command> {
        Some(download_command(common))
    }

    fn run_job<'a>(
        &'a self,
        common: &'a CommonArgs,
        m: &'a ArgMatches,
        sink: &'a dyn JobSink,
    ) -> Option<Work<'a, Vec<String>>> {
        Some(Box::pin(download::job(common, m, sink)))
    }
}

/// `douyin download`, which also takes the identities of a crawl.
fn download_command(common: &[Arg]) -> Command {
    download::command(
        common
            .iter()
            .cloned()
            // download's own --state holds its archive and queue too.
            .chain(
                crate::identities::args()
                    .into_iter()
                    .filter(|a| a.get_id() != "state"),
            )
            .collect(),
    )
}
