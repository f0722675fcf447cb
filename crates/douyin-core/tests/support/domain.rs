//! A minimal domain for probing the runtime: code `0` is success, `7` ("seven") is rate limited, `9` is an expired
//! credential; one operation and one response type with the envelope fields and a typed `cursor` and `items`.

use std::borrow::Cow;

use douyin_core::{
    impl_lossless, Domain, Drift, Envelope, EnvelopeSpec, ErrorClass, ErrorCode, Extra, Method,
    Operation, Outcome,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Code(pub String);

impl ErrorCode for Code {
    fn from_raw(raw: &str) -> Self {
        Code(raw.to_owned())
    }
    fn raw(&self) -> &str {
        &self.0
    }
    fn name(&self) -> &'static str {
        match self.0.as_str() {
            "0" => "Success",
            "7" => "Seven",
            "9" => "Expired",
            _ => "Unknown",
        }
    }
    fn meaning(&self) -> Option<&'static str> {
        (self.0 == "7").then_some("seven")
    }
    fn class(&self) -> ErrorClass {
        match self.0.as_str() {
            "0" => ErrorClass::Success,
            "7" => ErrorClass::RateLimited,
            "9" => ErrorClass::ExpiredCredential,
            _ => ErrorClass::Other,
        }
    }
}

pub struct Probe;

impl Domain for Probe {
    type Code = Code;
    const NAME: &'static str = "probe";
    const BASE_URL: &'static str = "http://127.0.0.1:9";
    const ENVELOPE: &'static EnvelopeSpec = &EnvelopeSpec {
        code: &["code"],
        success: &["0"],
        message: &["msg"],
        log_id: &["log_id"],
        sub_code: &["sub_code"],
        sub_message: &["sub_msg"],
        refusals: &[],
    };
}

pub static OP: Operation = Operation {
    name: "probe",
    method: Method::Get,
    path: "/api/probe",
    base_url: None,
    signing: &[],
    pacing: None,
};

/// The name of the signer [`SIGNED_OP`] is signed by.
pub const SIGNER: &str = "probe_signer";

/// [`OP`] signed by [`SIGNER`].
#[allow(dead_code)] // not every test binary signs
pub static SIGNED_OP: Operation = Operation {
    name: "signed_probe",
    method: Method::Get,
    path: "/api/probe",
    base_url: None,
    signing: &[SIGNER],
    pacing: None,
};

#[derive(Clone, Debug, Default)]
pub struct Body {
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub log_id: Option<String>,
    pub cursor: Option<i64>,
    pub items: Option<Vec<i64>>,
    pub unknown_fields: Extra,
    pub drift: Vec<Drift>,
}
impl_lossless!(Body {
    code: "code",
    msg: "msg",
    sub_code: "sub_code",
    sub_msg: "sub_msg",
    log_id: "log_id",
    cursor: "cursor",
    items: "items"
} response);

impl Envelope for Body {
    fn outcome(&self) -> Outcome<'_> {
        Outcome {
            code: self.code.map(|c| Cow::Owned(c.to_string())),
            message: self.msg.as_deref(),
            log_id: self.log_id.as_deref(),
            sub_code: self.sub_code.as_deref().map(Cow::Borrowed),
            sub_message: self.sub_msg.as_deref(),
            refused: None,
        }
    }
}
