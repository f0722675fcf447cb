//! The a_bogus fingerprint agrees with the user agent: `douyin web …` (the CLI's own client path, `Client::configured`)
//! run against the mock with a macOS, a Linux and an iPhone user agent signs with a fingerprint whose platform is
//! the `browser_platform` the same query sends, read back from the mock's request log and decoded.

mod common;

use common::{douyin, mock::Mock, run, TempDir};
use douyin_mock::MockConfig;

const USER_AGENTS: [(&str, &str); 3] = [
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/120.0.6099.109 Safari/537.36",
        "MacIntel",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 \
         Safari/537.36",
        "Linux x86_64",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
         Version/17.1.2 Mobile/15E148 Safari/604.1",
        "iPhone",
    ),
];

#[test]
fn the_abogus_fingerprint_platform_is_the_browser_platform_sent() {
    // Any user agent is accepted (the mock still checks the a_bogus against the one sent).
    let mut config = MockConfig::default();
    config.credentials.remove("user_agent");
    let mock = Mock::start_with(config);
    let home = TempDir::new("fingerprint");
    for (n, (user_agent, platform)) in USER_AGENTS.into_iter().enumerate() {
        let mut c = douyin(
            home.path(),
            &[
                ("DOUYIN_COOKIE", "sessionid=test"),
                ("DOUYIN_MS_TOKEN", "test-ms-token"),
                ("DOUYIN_USER_AGENT", user_agent),
            ],
        );
        c.args(["web", "aweme-detail", "--aweme-id", "7331282358999584037"])
            .args(["--base-url", &mock.server.base_url("web")]);
        let r = run(c);
        assert_eq!(r.code, Some(0), "{user_agent}: {r:?}");

        let sent = &mock.server.requests_to("aweme_detail")[n];
        assert_eq!(sent.header("user-agent"), Some(user_agent));
        let query = sent.query_pairs();
        let value = |name: &str| {
            query
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {name} in {query:?}"))
        };
        assert_eq!(value("browser_platform"), platform, "{user_agent}");
        let decoded = douyin_abogus::decode(&value("a_bogus")).expect("a_bogus decodes");
        let fingerprint = decoded.fingerprint;
        assert_eq!(
            fingerprint.as_str().rsplit('|').next(),
            Some(platform),
            "{user_agent}: fingerprint {}",
            fingerprint.as_str()
        );
    }
}
