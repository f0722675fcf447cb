//! The Open Platform's own commands (`open-platform auth`, OAuth; `open-platform webhook serve`, receiving webhooks)
//! and the credentials its other commands take from the token file, plugged into the CLI as [`OpenPlatform`].

pub mod auth;
pub mod webhook;

use clap::{ArgMatches, Command};
use douyin_core::{Credentials, Domain};

use crate::context::{config_for, Ctx};
use crate::customize::{Customization, Work};
use crate::generated::CommonArgs;
use crate::support::CliError;

/// What the Open Platform adds to the generated CLI.
pub struct OpenPlatform;

impl Customization for OpenPlatform {
    fn domain(&self) -> &'static str {
        douyin_open_platform::OpenPlatform::NAME
    }

    fn subcommands(&self) -> Vec<Command> {
        vec![auth::command(), webhook::command()]
    }

    fn run_subcommand<'a>(
        &'a self,
        name: &str,
        m: &'a ArgMatches,
        common: &'a CommonArgs,
    ) -> Option<Work<'a, ()>> {
        match name {
            auth::COMMAND => Some(Box::pin(
                async move { auth::run(m, config_for(common)?).await },
            )),
            webhook::COMMAND => Some(Box::pin(async move {
                webhook::run(m, config_for(common)?).await
            })),
            _ => None,
        }
    }

    fn credentials(&self, ctx: &Ctx) -> Result<Option<Box<dyn Credentials>>, CliError> {
        Ok(Some(Box::new(auth::credentials(ctx)?)))
    }
}
