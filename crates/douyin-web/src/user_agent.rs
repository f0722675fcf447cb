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
    // An iPhone's or iPad's navigator.platform names the device; checked before macOS, whose token it contains.
    let ios_device = ["iPhone", "iPad", "iPod"]
        .into_iter()
        .find(|d| ua.contains(&format!("({d};")));
    let os = if let Some(device) = ios_device {
        let v = ua
            .split(" OS ")
            .nth(1)
            .and_then(|rest| rest.split([' ', ';', ')']).next())
            .unwrap_or("")
            .replace('_', ".");
        Some(("iOS", v, device))
    } else if let Some(rest) = ua.split("Windows NT ").nth(1) {
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

#[cfg(test)]
mod tests {
    use super::profile_of;

    fn param(ua: &str, name: &str) -> Option<String> {
        profile_of(ua)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn an_iphone_is_ios_on_the_iphone_platform_not_macos() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 \
                  (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
        assert_eq!(param(ua, "browser_platform").as_deref(), Some("iPhone"));
        assert_eq!(param(ua, "os_name").as_deref(), Some("iOS"));
        assert_eq!(param(ua, "os_version").as_deref(), Some("17.1.2"));
        assert_eq!(param(ua, "browser_name").as_deref(), Some("Safari"));
        let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) \
                   Chrome/120.0.6099.109 Safari/537.36";
        assert_eq!(param(mac, "browser_platform").as_deref(), Some("MacIntel"));
    }
}
