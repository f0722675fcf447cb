//! Reads the browser, engine and OS out of a user agent, so the browser-profile query parameters agree with it.

/// Profile parameters implied by `ua`; parts it does not recognise are left out (the spec's defaults stay).
pub fn profile_of(ua: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let version = |token: &str| {
        ua.split_whitespace()
            .find_map(|w| w.strip_prefix(token))
            .map(|v| v.trim_end_matches(';').to_owned())
    };
    let chrome = version("Chrome/");
    let browser = if let Some(v) = version("Edg/") {
        Some(("Edge", v))
    } else if let Some(v) = version("Firefox/") {
        Some(("Firefox", v))
    } else if let Some(v) = chrome.clone() {
        Some(("Chrome", v))
    } else {
        version("Version/")
            .filter(|_| ua.contains("Safari/"))
            .map(|v| ("Safari", v))
    };
    if let Some((name, v)) = browser {
        out.push(("browser_name", name.to_owned()));
        out.push(("browser_version", v));
    }
    let engine = match (&chrome, version("Firefox/"), version("AppleWebKit/")) {
        (Some(c), _, _) => Some(("Blink", c.clone())),
        (None, Some(f), _) => Some(("Gecko", f)),
        (None, None, Some(w)) => Some(("WebKit", w)),
        _ => None,
    };
    if let Some((name, v)) = engine {
        out.push(("engine_name", name.to_owned()));
        out.push(("engine_version", v));
    }
    let os = if let Some(rest) = ua.split("Windows NT ").nth(1) {
        let v = rest.split([';', ')']).next().unwrap_or("");
        // Windows 11 still reports NT 10.0.
        Some((
            "Windows",
            if v == "10.0" {
                "10".to_owned()
            } else {
                v.to_owned()
            },
            "Win32",
        ))
    } else if let Some(rest) = ua.split("Mac OS X ").nth(1) {
        let v = rest
            .split([';', ')'])
            .next()
            .unwrap_or("")
            .replace('_', ".");
        Some(("Mac OS", v, "MacIntel"))
    } else if ua.contains("Linux") {
        Some(("Linux", String::new(), "Linux x86_64"))
    } else {
        None
    };
    if let Some((name, v, platform)) = os {
        out.push(("os_name", name.to_owned()));
        if !v.is_empty() {
            out.push(("os_version", v));
        }
        out.push(("browser_platform", platform.to_owned()));
    }
    out
}
