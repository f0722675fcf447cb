//! The paged listings `douyin download` walks — a user's posts (aweme/post), the posts a user liked
//! (aweme/favorite), the awemes of a collection (mix/aweme) — page by page, downloading each page before asking for
//! the next. The archive keeps the cursor of the last finished page, so an interrupted listing resumes there.

use douyin_web::types::Aweme;
use douyin_web::{AwemeFavoriteParams, AwemePostParams, MixAwemeParams};

use super::Run;
use crate::support::{api_error, CliError};

/// A listing of awemes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Listing {
    /// A user's posts, newest first (pinned ones on top), by sec_uid.
    Posts(String),
    /// The posts a user liked, by sec_uid.
    Favorites(String),
    /// A collection's awemes, by mix id.
    Mix(String),
}

/// One page of a listing.
struct Page {
    awemes: Vec<Aweme>,
    has_more: bool,
    next: i64,
}

impl Listing {
    /// The archive's key for the listing's cursor: the operation's name and the id (`aweme_post:<sec_uid>`).
    fn key(&self) -> String {
        let (op, id) = match self {
            Listing::Posts(id) => (&douyin_web::operations::AWEME_POST, id),
            Listing::Favorites(id) => (&douyin_web::operations::AWEME_FAVORITE, id),
            Listing::Mix(id) => (&douyin_web::operations::MIX_AWEME, id),
        };
        format!("{}:{id}", op.name)
    }

    /// The listing in words, for progress and failure lines.
    pub(super) fn describe(&self) -> String {
        match self {
            Listing::Posts(id) => format!("{id}'s posts"),
            Listing::Favorites(id) => format!("{id}'s liked posts"),
            Listing::Mix(id) => format!("collection {id}"),
        }
    }

    /// Whether awemes come newest first by publication, so that the first one older than `--since` ends the
    /// listing. Likes come in the order they were liked and collections in episode order: those are filtered only.
    fn newest_first(&self) -> bool {
        matches!(self, Listing::Posts(_))
    }

    async fn page(&self, client: &douyin_web::Client, cursor: i64) -> Result<Page, CliError> {
        let (awemes, has_more, next) = match self {
            Listing::Posts(sec_uid) => {
                let p = client
                    .aweme_post(&AwemePostParams::new(sec_uid).max_cursor(cursor))
                    .await
                    .map_err(api_error)?;
                (p.aweme_list, p.has_more, p.max_cursor)
            }
            Listing::Favorites(sec_uid) => {
                let p = client
                    .aweme_favorite(&AwemeFavoriteParams::new(sec_uid).max_cursor(cursor))
                    .await
                    .map_err(api_error)?;
                (p.aweme_list, p.has_more, p.max_cursor)
            }
            Listing::Mix(mix_id) => {
                let p = client
                    .mix_aweme(&MixAwemeParams::new(mix_id).cursor(cursor))
                    .await
                    .map_err(api_error)?;
                (p.aweme_list, p.has_more, p.cursor)
            }
        };
        Ok(Page {
            awemes: awemes.unwrap_or_default(),
            has_more: has_more.unwrap_or(0) != 0,
            next: next.unwrap_or(0),
        })
    }
}

impl Run {
    /// Every aweme of `listing` (up to `--limit`, from `--since`), page by page from the saved cursor. A failed
    /// request is the listing's failure line; the run goes on with the next source.
    pub(super) async fn listing(&mut self, listing: &Listing) -> Result<(), CliError> {
        self.client()?; // a missing credential is a usage error for the whole run, not this listing's failure
        if let Err(e) = self.walk(listing).await {
            self.failures.push(format!(
                "{}: {}; run the same command again to resume at the saved page",
                listing.describe(),
                e.message
            ));
        }
        Ok(())
    }

    async fn walk(&mut self, listing: &Listing) -> Result<(), CliError> {
        self.awemes = 0; // --limit counts per listing
        let key = listing.key();
        let archive_err = |e: douyin_media::Error| CliError::failure(e.to_string());
        let mut cursor: i64 = match &self.opts.archive {
            Some(a) => a
                .cursor(&key)
                .map_err(archive_err)?
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            None => 0,
        };
        if cursor != 0 {
            eprintln!(
                "resuming {} at cursor {cursor} (from the archive)",
                listing.describe()
            );
        }
        loop {
            let page = listing.page(self.client()?, cursor).await?;
            let old = listing.newest_first()
                && page
                    .awemes
                    .iter()
                    .any(|a| a.is_top != Some(1) && !self.wants(a));
            let failed_before = self.failures.len();
            self.batch(page.awemes).await?;
            let more = page.has_more && page.next != cursor && page.next != 0;
            let stop = !more || old || self.limit_reached();
            let page_ok = self.failures.len() == failed_before;
            // A page counts as done once all its files are: a failed or interrupted page is listed again next run.
            if let Some(a) = self
                .opts
                .archive
                .as_ref()
                .filter(|_| page_ok && !self.opts.dry_run)
            {
                if stop {
                    a.clear_cursor(&key).map_err(archive_err)?;
                } else {
                    a.set_cursor(&key, &page.next.to_string())
                        .map_err(archive_err)?;
                }
            }
            if stop || !page_ok {
                return Ok(());
            }
            cursor = page.next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_name_the_operation_and_the_id() {
        // The posts key is the one the archive has held since `--user` first saved cursors.
        assert_eq!(Listing::Posts("MS4".into()).key(), "aweme_post:MS4");
        assert_eq!(Listing::Favorites("MS4".into()).key(), "aweme_favorite:MS4");
        assert_eq!(Listing::Mix("7348".into()).key(), "mix_aweme:7348");
    }
}
