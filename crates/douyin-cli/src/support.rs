//! The CLI's error type with its exit status, client errors as one line, and writing to stdout.

use std::io::Write;

use douyin_core::ErrorCode;

/// Exit status of a failed operation, a failed check or an unreadable input.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of a usage problem: bad arguments, a parameter rejected before sending, a missing credential, a bad
/// config file.
pub const EXIT_USAGE: u8 = 2;
/// Exit status after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure, printed as one line on stderr, with the process's exit status.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, on one line; never contains a credential.
    pub message: String,
    /// Exit status.
    pub exit: u8,
}

impl CliError {
    /// A usage problem (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            exit: EXIT_USAGE,
        }
    }

    /// A failed operation or check (exit status 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            exit: EXIT_FAILURE,
        }
    }

    /// The single line printed on stderr.
    pub fn line(&self) -> String {
        let one: Vec<&str> = self.message.split_whitespace().collect();
        format!("error: {}", one.join(" "))
    }
}

fn with_sources(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s
}

/// A client method's error as one line naming the typed error: the code with its name, meaning and class, and
/// whether the runtime retries it. Credential values never appear (the runtime's errors carry none).
pub fn api_error<C: ErrorCode>(e: douyin_core::Error<C>) -> CliError {
    use douyin_core::Error as E;
    let retry = if e.is_retryable() {
        "retryable"
    } else {
        "not retryable"
    };
    match &e {
        E::Api(a) => {
            let mut s = format!("API error {} (code {}", a.code.name(), a.code.raw());
            match a.code.meaning() {
                Some(m) => s.push_str(&format!(": {m}")),
                None => s.push_str(": not in the documented code table"),
            }
            s.push_str(&format!("; class {}, {retry}", a.class().as_str()));
            match a.billing() {
                Some(douyin_core::Billing::Billed) => s.push_str(", billed"),
                Some(douyin_core::Billing::NotBilled) => s.push_str(", not billed"),
                Some(douyin_core::Billing::Ignored) => s.push_str(", billing ignored"),
                None => {}
            }
            s.push(')');
            if let Some(m) = a.message.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(": {m}"));
            }
            if let Some(c) = a.sub_code.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!("; sub code {c}"));
            }
            if let Some(m) = a.sub_message.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(": {m}"));
            }
            if let Some(id) = a.log_id.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(" [log id {id}]"));
            }
            if let Some(advice) = a.code.advice() {
                s.push_str(&format!("; what to do: {advice}"));
            }
            CliError::failure(s)
        }
        E::InvalidParameter { .. } => CliError::usage(format!("{e} (checked before sending)")),
        E::Credential { .. } => CliError::usage(e.to_string()),
        E::Decode(d) => CliError::failure(format!(
            "decode error at `{}`: {} ({retry}; the response does not match the spec: save it and run \
             `douyin check-capture` on it)",
            d.path, d.message
        )),
        E::Blocked(b) => CliError::failure(format!("{e} ({retry}; what to do: {})", b.advice())),
        E::Status { status, .. } => CliError::failure(format!("HTTP status {status} ({retry})")),
        E::CircuitOpen { .. } => CliError::failure(format!(
            "{e} (what to do: let the identities rest until then, then go slower (--pace-scale) or with more \
             identities)"
        )),
        _ => CliError::failure(format!("{} ({retry})", with_sources(&e))),
    }
}

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failure(format!("writing to stdout failed: {e}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use douyin_core::{Billing, ErrorClass};

    use super::*;

    /// A code table of one documented code (`4008`), as a domain's generated `ErrorCode` has (also the serve
    /// errors' tests').
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Code(String);

    impl ErrorCode for Code {
        fn from_raw(raw: &str) -> Self {
            Code(raw.to_owned())
        }
        fn raw(&self) -> &str {
            &self.0
        }
        fn name(&self) -> &'static str {
            if self.0 == "4008" {
                "RateLimited"
            } else {
                "Unknown"
            }
        }
        fn meaning(&self) -> Option<&'static str> {
            (self.0 == "4008").then_some("API rate limit exceeded")
        }
        fn class(&self) -> ErrorClass {
            if self.0 == "4008" {
                ErrorClass::RateLimited
            } else {
                ErrorClass::Other
            }
        }
        fn billing(&self) -> Option<Billing> {
            (self.0 == "4008").then_some(Billing::Ignored)
        }
    }

    #[test]
    fn error_lines_are_single_lines() {
        let e = CliError::failure("a\nb  c\n");
        assert_eq!(e.line(), "error: a b c");
    }

    #[test]
    fn undocumented_codes_are_named_unknown() {
        let api = douyin_core::ApiError {
            code: Code::from_raw("9999"),
            message: None,
            log_id: None,
            sub_code: None,
            sub_message: None,
            http_status: 200,
        };
        let e = api_error(douyin_core::Error::Api(Box::new(api)));
        assert_eq!(
            e.message,
            "API error Unknown (code 9999: not in the documented code table; class other, not retryable)"
        );
    }

    #[test]
    fn api_errors_name_code_meaning_class_and_retryability() {
        let api = douyin_core::ApiError {
            code: Code::from_raw("4008"),
            message: Some("slow down".to_owned()),
            log_id: Some("abc".to_owned()),
            sub_code: None,
            sub_message: None,
            http_status: 200,
        };
        let e = api_error(douyin_core::Error::Api(Box::new(api)));
        assert_eq!(e.exit, EXIT_FAILURE);
        assert_eq!(
            e.message,
            "API error RateLimited (code 4008: API rate limit exceeded; class rate_limited, retryable, billing \
             ignored): slow down [log id abc]"
        );
    }
}
