//! `--user`, `--favorites`, `--mix` and user or collection links: the listing walked by
//! [`douyin_media::Downloads::listing`] (page by page, resuming at the cursor the archive saved), each aweme's files
//! reported as they finish.

use douyin_media::{Error, Listing};
use futures::StreamExt;

use super::ui::Ui;
use super::Run;
use crate::support::{api_error, CliError};

impl Run {
    /// Every wanted aweme of `listing`. A failed page or file is a failure line; the run goes on with the next
    /// source.
    pub(super) async fn listing(&mut self, listing: &Listing) -> Result<(), CliError> {
        self.client()?; // a missing credential is a usage error for the whole run, not this listing's failure
        let client = self.client.as_ref().expect("built above");
        let saved = match self.downloads.archive_ref() {
            Some(a) => a.cursor(&listing.cursor_key()).ok().flatten(),
            None => None,
        };
        if let Some(cursor) = saved.filter(|c| c != "0") {
            eprintln!(
                "resuming {} at cursor {cursor} (from the archive)",
                listing.describe()
            );
        }
        let ui = Ui::new(usize::from(!self.dry_run));
        let on_update = |u: &douyin_media::Update<'_>| ui.update(u);
        let mut failed = None;
        let mut reported = Ok(());
        {
            let mut walk = std::pin::pin!(self.downloads.listing(client, listing, &on_update));
            while let Some(next) = walk.next().await {
                match next {
                    Ok(outcome) => {
                        reported = super::report(&outcome, self.dry_run, &mut self.failures, &ui);
                        if reported.is_err() {
                            break; // stdout closed: the page's cursor stays where it was
                        }
                    }
                    Err(e) => failed = Some(e),
                }
            }
        }
        ui.finish();
        reported?;
        if let Some(e) = failed {
            let why = match e {
                Error::Listing { source, .. } => api_error(*source).message,
                other => other.to_string(),
            };
            self.failures.push(format!(
                "{}: {why}; run the same command again to resume at the saved page",
                listing.describe()
            ));
        }
        Ok(())
    }
}
