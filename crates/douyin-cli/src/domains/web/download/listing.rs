//! `--user`, `--favorites`, `--mix` and user or collection links: the listing walked by
//! [`douyin_media::Downloads::listing`] (page by page, resuming at the cursor the archive saved), or with `--state`
//! by [`douyin_media::Downloads::shared_listing`] together with other workers; each aweme's files reported as they
//! finish.

use douyin_media::{Error, Listing};
use futures::StreamExt;

use super::Run;
use crate::support::{api_error, CliError};

impl Run<'_> {
    /// Every wanted aweme of `listing`. A failed page or file is a failure line; the run goes on with the next
    /// source.
    pub(super) async fn listing(&mut self, listing: &Listing) -> Result<(), CliError> {
        self.client()?; // a missing credential is a usage error for the whole run, not this listing's failure
        if self.shared.is_some() {
            return self.shared_listing(listing).await;
        }
        let client = self.client.as_ref().expect("built above");
        let saved = match self.downloads.archive_ref() {
            Some(a) => a.cursor(&listing.cursor_key()).await.ok().flatten(),
            None => None,
        };
        if let Some(cursor) = saved.filter(|c| c != "0") {
            eprintln!(
                "resuming {} at cursor {cursor} (from the archive)",
                listing.describe()
            );
        }
        let ui = self.ui(usize::from(!self.dry_run));
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
            self.listing_failed(listing, e);
        }
        Ok(())
    }

    /// [`Run::listing`] with the other workers of `--state`. The database failing ends the run (nothing it did not
    /// record as done is taken as done); a page failing is the listing's failure line.
    async fn shared_listing(&mut self, listing: &Listing) -> Result<(), CliError> {
        let (Some(client), Some(crawl)) = (self.client.as_ref(), self.shared.as_ref()) else {
            return Ok(());
        };
        let ui = self.ui(1);
        let on_update = |u: &douyin_media::Update<'_>| ui.update(u);
        let failures = std::sync::Mutex::new(Vec::new());
        let mut on_aweme = |outcome: &douyin_media::AwemeOutcome| {
            let mut lines = failures.lock().unwrap_or_else(|p| p.into_inner());
            let _ = super::report(outcome, false, &mut lines, &ui);
        };
        let result = self
            .downloads
            .shared_listing(client, listing, crawl, &on_update, &mut on_aweme)
            .await;
        ui.finish();
        self.failures
            .extend(failures.into_inner().unwrap_or_else(|p| p.into_inner()));
        match result {
            Ok(summary) => {
                eprintln!(
                    "{}: done here: {} page(s) queued, {} aweme(s) finished, {} failed, {} lost to other workers",
                    listing.describe(),
                    summary.pages,
                    summary.done,
                    summary.failed,
                    summary.lost
                );
                Ok(())
            }
            Err(e @ Error::State { .. }) => Err(CliError::failure(e.to_string())),
            Err(e) => {
                self.listing_failed(listing, e);
                Ok(())
            }
        }
    }

    fn listing_failed(&mut self, listing: &Listing, e: Error) {
        let why = match e {
            Error::Listing { source, .. } => api_error(*source).message,
            other => other.to_string(),
        };
        self.failures.push(format!(
            "{}: {why}; run the same command again to resume at the saved page",
            listing.describe()
        ));
    }
}
