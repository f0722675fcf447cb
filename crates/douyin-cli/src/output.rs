//! Pretty-printing and compacting JSON text without parsing it into a value: key order, number spelling and string
//! escapes stay exactly as encoded (a `serde_json::Value` would sort keys and round large numbers). Raw-kept values
//! (lossless decoding) carry the server's whitespace and newlines, so compact output goes through [`compact`].

/// `json` (valid JSON text) on one line: the whitespace between tokens dropped, everything else as encoded.
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

/// `json` (valid JSON text) indented by two spaces per level, `": "` after keys, empty containers as `{}` / `[]`.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // A container was just opened: its newline waits until we know it is not empty.
    let mut opened = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        if opened {
            opened = false;
            if c == '}' || c == ']' {
                depth -= 1;
                out.push(c);
                continue;
            }
            newline(&mut out, depth);
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                depth += 1;
                opened = true;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{compact, pretty};

    #[test]
    fn compact_drops_whitespace_between_tokens_only() {
        let text = "{\n  \"a b\" : [ 1 ,\t2 ],\r\n  \"s\": \"x \\\" \\n y\" , \"raw\": {\n  \"k\" : 18446744073709551617\n}\n}";
        assert_eq!(
            compact(text),
            "{\"a b\":[1,2],\"s\":\"x \\\" \\n y\",\"raw\":{\"k\":18446744073709551617}}"
        );
        let v = serde_json::json!({"a": [1, {"b": null}], "c": "d e"});
        let pretty_text = serde_json::to_string_pretty(&v).unwrap();
        assert_eq!(compact(&pretty_text), serde_json::to_string(&v).unwrap());
        assert_eq!(
            compact(&pretty(&compact(&pretty_text))),
            compact(&pretty_text)
        );
    }

    #[test]
    fn matches_serde_json_pretty_on_ordinary_values() {
        let v = serde_json::json!({"a": [1, 2, {"b": null}], "c": {}, "d": [], "e": "x, y: {z}"});
        let compact = serde_json::to_string(&v).unwrap();
        assert_eq!(pretty(&compact), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn keeps_key_order_numbers_escapes_and_reindents_raw_whitespace() {
        let text =
            "{\"z\":18446744073709551617,\"a\":\"q\\\"{[,:\" , \"raw\": {\n  \"k\" : [ ]\n}}";
        assert_eq!(
            pretty(text),
            "{\n  \"z\": 18446744073709551617,\n  \"a\": \"q\\\"{[,:\",\n  \"raw\": {\n    \"k\": []\n  }\n}"
        );
    }
}
