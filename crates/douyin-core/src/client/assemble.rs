//! Request assembly: the query (session parameters in place, credentials resolved), the headers, the form or JSON
//! body, then each signer of the operation over the final query, body and user agent; the values of secrets are
//! collected so errors and logs can mask them.

use super::{Client, Domain, Who};
use crate::credentials::{Secret, SignInput};
use crate::error::Error;
use crate::redact::cookie_values;
use crate::request::{push_pair, Request, Value};

/// A request with its credentials resolved, ready to send.
pub(super) struct Wire {
    pub(super) url: String,
    pub(super) headers: Vec<(&'static str, String, bool)>,
    /// The body and its content type.
    pub(super) body: Option<(String, &'static str)>,
    pub(super) secrets: Vec<Secret>,
    /// Each credential's value as sent, so a refresh knows which value the service rejected.
    pub(super) sent: Vec<(&'static str, Secret)>,
}

/// The credentials an assembly resolved: their values as secrets (masked in errors and logs; a cookie's single
/// values too) and each one as sent, by name.
#[derive(Default)]
struct Resolved {
    secrets: Vec<Secret>,
    sent: Vec<(&'static str, Secret)>,
}

impl Resolved {
    fn exposed(&self) -> Vec<&str> {
        self.secrets.iter().map(Secret::expose).collect()
    }
}

impl<D: Domain> Client<D> {
    /// Assembles `req`: query, headers and body with their credentials, then its signatures, then the URL.
    pub(super) async fn resolve(
        &self,
        req: &Request,
        who: &Who<'_>,
    ) -> Result<Wire, Error<D::Code>> {
        let mut resolved = Resolved::default();
        let mut query = self.query(req, who, &mut resolved).await?;
        let (headers, user_agent) = self.headers(req, who, &mut resolved).await?;
        let body = self.body(req, who, &mut resolved).await?;
        let signed_body = body.as_ref().map_or("", |(b, _)| b.as_str());
        self.sign(
            req,
            &mut query,
            signed_body,
            user_agent.as_deref(),
            &resolved,
        )
        .await?;
        let base = match req.op.base_url {
            Some(own) if !self.inner.redirected => own,
            _ => &self.inner.base_url,
        };
        let mut url = format!("{base}{}", req.op.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Ok(Wire {
            url,
            headers,
            body,
            secrets: resolved.secrets,
            sent: resolved.sent,
        })
    }

    async fn credential(
        &self,
        who: &Who<'_>,
        name: &'static str,
    ) -> Result<Secret, Error<D::Code>> {
        who.credentials
            .get(name)
            .await
            .map_err(|reason| Error::Credential { name, reason })
    }

    /// The query string: the operation's pairs with credentials resolved and the session parameters at their
    /// positions.
    async fn query(
        &self,
        req: &Request,
        who: &Who<'_>,
        resolved: &mut Resolved,
    ) -> Result<String, Error<D::Code>> {
        let mut query = String::new();
        for (name, value) in &req.query {
            match value {
                Value::Plain(v) | Value::JsonText(v) => push_pair(&mut query, name, v),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    push_pair(&mut query, name, s.expose());
                    resolved.sent.push((*c, s.clone()));
                    resolved.secrets.push(s);
                }
                Value::Session(pos) => {
                    for (n, v, p) in who.session {
                        if p == pos {
                            push_pair(&mut query, n, v);
                        }
                    }
                }
            }
        }
        Ok(query)
    }

    /// The headers as `(name, value, sensitive)`, and the user agent when the domain's user-agent credential is
    /// one of them (signers sign it; it is not a secret).
    async fn headers(
        &self,
        req: &Request,
        who: &Who<'_>,
        resolved: &mut Resolved,
    ) -> Result<(Vec<(&'static str, String, bool)>, Option<String>), Error<D::Code>> {
        let mut headers = Vec::with_capacity(req.headers.len());
        let mut user_agent = None;
        for (name, value) in &req.headers {
            match value {
                Value::Plain(v) | Value::JsonText(v) => headers.push((*name, v.clone(), false)),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    resolved.sent.push((*c, s.clone()));
                    if Some(*c) == D::USER_AGENT_CREDENTIAL {
                        user_agent = Some(s.expose().to_owned());
                    } else {
                        if name.eq_ignore_ascii_case(reqwest::header::COOKIE.as_str()) {
                            resolved
                                .secrets
                                .extend(cookie_values(s.expose()).map(Secret::new));
                        }
                        resolved.secrets.push(s.clone());
                    }
                    headers.push((*name, s.expose().to_owned(), true));
                }
                Value::Session(_) => {}
            }
        }
        Ok((headers, user_agent))
    }

    /// The body and its content type: form fields, else JSON members (a JSON-text member travels as the value it
    /// spells), else none.
    async fn body(
        &self,
        req: &Request,
        who: &Who<'_>,
        resolved: &mut Resolved,
    ) -> Result<Option<(String, &'static str)>, Error<D::Code>> {
        let mut form = None::<String>;
        let mut json = serde_json::Map::new();
        for (is_json, (n, v)) in req
            .form
            .iter()
            .map(|f| (false, f))
            .chain(req.json.iter().map(|f| (true, f)))
        {
            let value = match v {
                Value::Plain(v) => serde_json::Value::String(v.clone()),
                Value::Credential(c) => {
                    let s = self.credential(who, c).await?;
                    resolved.sent.push((*c, s.clone()));
                    resolved.secrets.push(s.clone());
                    serde_json::Value::String(s.expose().to_owned())
                }
                Value::JsonText(t) => {
                    serde_json::from_str(t).map_err(|e| Error::InvalidParameter {
                        name: n,
                        reason: format!("not JSON: {e}"),
                    })?
                }
                Value::Session(_) => continue,
            };
            match (is_json, value) {
                (true, value) => {
                    json.insert((*n).to_owned(), value);
                }
                (false, serde_json::Value::String(s)) => {
                    push_pair(form.get_or_insert_with(String::new), n, &s)
                }
                (false, other) => {
                    push_pair(form.get_or_insert_with(String::new), n, &other.to_string())
                }
            }
        }
        Ok(match form {
            Some(f) => Some((f, "application/x-www-form-urlencoded")),
            None if !json.is_empty() => Some((
                serde_json::Value::Object(json).to_string(),
                "application/json",
            )),
            None => None,
        })
    }

    /// Appends the signatures of the operation's signers, in its order, each over the query so far.
    async fn sign(
        &self,
        req: &Request,
        query: &mut String,
        body: &str,
        user_agent: Option<&str>,
        resolved: &Resolved,
    ) -> Result<(), Error<D::Code>> {
        for &name in req.op.signing {
            let signer = self
                .inner
                .signers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s)
                .ok_or_else(|| Error::Credential {
                    name,
                    reason: "no signer of this name is configured".to_owned(),
                })?;
            let input = SignInput {
                method: req.op.method,
                path: req.op.path,
                query: query.as_str(),
                body: body.as_bytes(),
                user_agent: user_agent.unwrap_or(""),
            };
            let extra = signer.sign(input).await.map_err(|reason| {
                // A signing service's message may quote the query it was given.
                Error::Credential { name, reason }.masked(&resolved.exposed())
            })?;
            for (n, v) in extra {
                push_pair(query, &n, &v);
            }
        }
        Ok(())
    }
}
