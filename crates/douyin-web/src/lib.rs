//! Typed client for the douyin.com web API (`https://www.douyin.com/aweme/v1/web/…`): what the website calls, with a
//! browser session (cookie, user agent, msToken, browser profile) and X-Bogus or a_bogus signing.
//!
//! Everything under [`generated`] comes from `specs/web/` via `cargo xtask codegen`; [`session`], [`signing`]
//! (X-Bogus) and [`abogus_signer`] (a_bogus) are hand-written. A blocked request (HTTP 200 with an empty body, or a
//! challenge page) is [`douyin_core::Error::Blocked`], never an empty result.
//!
//! ```no_run
//! # async fn demo() -> Result<(), douyin_web::Error> {
//! use douyin_web::{Client, CommentListParams, WebSession};
//!
//! let session = WebSession::with_default_user_agent("sid_guard=…; msToken=…");
//! let client = Client::new(session);
//! let page = client.comment_list(&CommentListParams::new("7184732601662344482")).await?;
//! println!("{:?} comments in total", page.total);
//! # Ok(())
//! # }
//! ```

#[rustfmt::skip]
pub mod generated;
pub mod abogus_signer;
pub mod session;
pub mod signing;
pub mod user_agent;

pub use abogus_signer::ABogusSigner;
pub use douyin_core::{RetryPolicy, Secret};
pub use generated::client::*;
pub use generated::errors::*;
pub use generated::types;
pub use session::WebSession;
pub use signing::XBogusSigner;

impl Client {
    /// A client of www.douyin.com for `session`, signing with X-Bogus.
    pub fn new(session: WebSession) -> Self {
        builder(session, XBogusSigner::default())
            .build()
            .expect("the default HTTP client builds")
            .into()
    }
}

/// A runtime builder for `session` and `signer` (profile parameters, credentials and signing set up), for changing
/// the base URL, timeouts or retries: `douyin_web::builder(session, signer).base_url(url).build()?.into()`.
pub fn builder(
    session: WebSession,
    signer: impl douyin_core::Signer,
) -> douyin_core::ClientBuilder<Web> {
    let mut b = Client::builder().signer(signer);
    for (name, value, position) in session.query_params() {
        b = b.session_param(name, value, position);
    }
    b.credentials(session)
}

impl types::NoticeIdItem {
    /// One `id_list` entry of [`Client::notice_detail`]: a notice id and its type.
    pub fn new(notice_id_str: impl Into<String>, notice_type: i64) -> Self {
        types::NoticeIdItem {
            notice_id_str: Some(notice_id_str.into()),
            type_: Some(notice_type),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_ids_are_sent_as_compact_json() {
        let params = NoticeDetailParams::new(vec![types::NoticeIdItem::new("7185", 0)]);
        let req = params.to_request().unwrap();
        assert_eq!(
            req.query_value("id_list"),
            Some(r#"[{"notice_id_str":"7185","type":0}]"#)
        );
    }
}
