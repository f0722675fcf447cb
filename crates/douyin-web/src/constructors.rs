//! Hand-written constructors: the one way a client is built for a browser session (signed with X-Bogus, a_bogus
//! registered with the session's fingerprint); the `id_list` item of `notice_detail`.

use crate::abogus_signer::ABogusSigner;
use crate::generated::client::Client;
use crate::generated::domain::signer_names::{A_BOGUS, X_BOGUS};
use crate::generated::domain::Web;
use crate::generated::types;
use crate::session::WebSession;

impl Client {
    /// A client of www.douyin.com for `session`, signing with X-Bogus.
    pub fn new(session: WebSession) -> Self {
        for_session(session)
            .build()
            .expect("the default HTTP client builds")
            .into()
    }
}

/// The one way a client is built for a session (`Client::new`, [`builder`], `Client::configured`, the bootstrap):
/// the spec's signers, the a_bogus one taking the fingerprint of the session's browser profile (platform, screen),
/// so the signature agrees with the `browser_platform` the query sends; then the session as the credentials.
pub(crate) fn for_session(session: WebSession) -> douyin_core::ClientBuilder<Web> {
    Client::builder()
        .signer(A_BOGUS, ABogusSigner::for_session(&session))
        .credentials(session)
}

/// A runtime builder for `session` with `signer` in the place of the X-Bogus signer (profile parameters,
/// credentials and signing set up; the a_bogus signer takes the fingerprint of the session's profile), for changing
/// the base URL, timeouts or retries: `douyin_web::builder(session, signer).base_url(url).build()?.into()`.
pub fn builder(
    session: WebSession,
    signer: impl douyin_core::Signer,
) -> douyin_core::ClientBuilder<Web> {
    for_session(session).signer(X_BOGUS, signer)
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
    use crate::{types, NoticeDetailParams};

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
