//! Assembly and retries without a network: refreshes by the spec's error codes, signers in order, JSON text
//! members, an operation's own host.

use super::retries::refreshed_by;
use super::*;
use crate::credentials::{SignInput, StaticCredentials};
use crate::request::{Method, Operation};
use crate::ErrorClass;

#[derive(Clone, Debug, PartialEq)]
struct Code(&'static str);

impl ErrorCode for Code {
    fn from_raw(raw: &str) -> Self {
        Code(match raw {
            "expired" => "expired",
            "42" => "42",
            _ => "other",
        })
    }
    fn raw(&self) -> &str {
        self.0
    }
    fn name(&self) -> &'static str {
        self.0
    }
    fn meaning(&self) -> Option<&'static str> {
        None
    }
    fn class(&self) -> ErrorClass {
        if self.0 == "expired" {
            ErrorClass::ExpiredCredential
        } else {
            ErrorClass::Other
        }
    }
}

struct Demo;

static SPEC: EnvelopeSpec = EnvelopeSpec {
    code: &["status"],
    success: &["0"],
    message: &[],
    log_id: &[],
    sub_code: &[],
    sub_message: &[],
    refusals: &[],
};

impl Domain for Demo {
    type Code = Code;
    const NAME: &'static str = "demo";
    const BASE_URL: &'static str = "https://api.example.com";
    const ENVELOPE: &'static EnvelopeSpec = &SPEC;
    const CREDENTIALS: &'static [CredentialSpec] = &[
        CredentialSpec {
            name: "token",
            required: true,
            refresh_on: &[ErrorClass::ExpiredCredential],
            refresh_on_codes: &[],
        },
        CredentialSpec {
            name: "ticket",
            required: true,
            refresh_on: &[],
            refresh_on_codes: &["42"],
        },
        CredentialSpec {
            name: "api_key",
            required: true,
            refresh_on: &[],
            refresh_on_codes: &[],
        },
    ];
}

static SIGNED: Operation = Operation {
    name: "signed",
    method: Method::Post,
    path: "/signed",
    base_url: None,
    signing: &["second", "first"],
    pacing: None,
};

static BOOTSTRAP: Operation = Operation {
    name: "bootstrap",
    method: Method::Get,
    path: "/register/",
    base_url: Some("https://bootstrap.example.com"),
    signing: &[],
    pacing: None,
};

static JSON_BODY: Operation = Operation {
    name: "json_body",
    method: Method::Post,
    path: "/json",
    base_url: None,
    signing: &[],
    pacing: None,
};

/// Appends `name=<what it saw>`: the query and the user agent.
struct Echo(&'static str);

impl Signer for Echo {
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> futures::future::BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        let seen = format!("{}|{}|{}", input.method, input.query, input.user_agent);
        Box::pin(async move { Ok(vec![(self.0.to_owned(), seen)]) })
    }
}

fn credentials() -> StaticCredentials {
    StaticCredentials::new()
        .with("token", "T")
        .with("ticket", "K")
        .with("api_key", "S")
}

#[test]
fn only_the_credentials_the_spec_names_for_an_error_are_refreshed() {
    let mut req = Request::new(&SIGNED);
    req.query_credential("token", "token");
    req.header_credential("x-ticket", "ticket");
    req.query_credential("api_key", "api_key");
    assert_eq!(refreshed_by::<Demo>(&req, &Code("expired")), ["token"]);
    assert_eq!(refreshed_by::<Demo>(&req, &Code("42")), ["ticket"]);
    assert!(refreshed_by::<Demo>(&req, &Code("other")).is_empty());
    // A credential the request does not carry is not refreshed.
    let mut only_key = Request::new(&SIGNED);
    only_key.query_credential("api_key", "api_key");
    assert!(refreshed_by::<Demo>(&only_key, &Code("expired")).is_empty());
}

#[test]
fn signers_run_by_name_in_the_operation_s_order_each_seeing_the_query_so_far() {
    let client = Client::<Demo>::builder()
        .credentials(credentials())
        .signer("first", Echo("first"))
        .signer("second", Echo("second"))
        .build()
        .unwrap();
    let mut req = Request::new(&SIGNED);
    req.query("a", "1");
    let wire = futures::executor::block_on(client.resolve(&req, &client.who(None))).unwrap();
    assert_eq!(
        wire.url,
        "https://api.example.com/signed?a=1&second=POST%7Ca%3D1%7C&first=POST%7Ca%3D1%26second%3DPOST%257Ca%253D1%257C%7C"
    );
    // Replacing a signer by name keeps one signer of that name.
    let replaced = Client::<Demo>::builder()
        .signer("first", Echo("first"))
        .signer("first", Echo("again"))
        .build()
        .unwrap();
    assert_eq!(replaced.inner.signers.len(), 1);
}

#[test]
fn a_signer_the_spec_names_but_nobody_registered_is_a_credential_error() {
    let client = Client::<Demo>::builder()
        .signer("first", Echo("first"))
        .build()
        .unwrap();
    match futures::executor::block_on(client.resolve(&Request::new(&SIGNED), &client.who(None))) {
        Err(Error::Credential { name, .. }) => assert_eq!(name, "second"),
        other => panic!("{:?}", other.map(|w| w.url)),
    }
}

#[test]
fn json_text_members_travel_as_json_values_and_bad_text_is_refused_before_sending() {
    let client = Client::<Demo>::builder().build().unwrap();
    let mut req = Request::new(&JSON_BODY);
    req.json_field("region", "cn");
    req.json_raw("aid", 1768);
    req.json_raw("union", true);
    req.json_raw("info", r#"{"ticket":""}"#);
    let wire = futures::executor::block_on(client.resolve(&req, &client.who(None))).unwrap();
    let (body, content_type) = wire.body.unwrap();
    assert_eq!(content_type, "application/json");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"region": "cn", "aid": 1768, "union": true, "info": {"ticket": ""}})
    );
    let mut bad = Request::new(&JSON_BODY);
    bad.json_raw("aid", "17 68");
    match futures::executor::block_on(client.resolve(&bad, &client.who(None))) {
        Err(Error::InvalidParameter { name, reason }) => {
            assert_eq!(name, "aid");
            assert!(reason.starts_with("not JSON"), "{reason}");
        }
        other => panic!("{:?}", other.map(|w| w.url)),
    }
}

#[test]
fn an_operation_on_its_own_host_goes_there_unless_the_client_is_redirected() {
    let req = Request::new(&BOOTSTRAP);
    let prod = Client::<Demo>::builder().build().unwrap();
    let wire = futures::executor::block_on(prod.resolve(&req, &prod.who(None))).unwrap();
    assert_eq!(wire.url, "https://bootstrap.example.com/register/");
    let mock = Client::<Demo>::builder()
        .base_url("http://127.0.0.1:9/demo/")
        .build()
        .unwrap();
    let wire = futures::executor::block_on(mock.resolve(&req, &mock.who(None))).unwrap();
    assert_eq!(wire.url, "http://127.0.0.1:9/demo/register/");
}

#[test]
fn settings_apply_what_they_set_and_keep_the_rest() {
    let client = Client::<Demo>::builder()
        .timeout(Duration::from_secs(5))
        .settings(
            &ClientSettings::default()
                .base_url("http://127.0.0.1:9/api/")
                .max_body_bytes(10),
        )
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/api");
    assert_eq!(client.inner.timeout, Duration::from_secs(5));
    assert_eq!(client.inner.max_body_bytes, 10);
    assert_eq!(
        client.inner.retry.max_attempts,
        RetryPolicy::default().max_attempts
    );
}
