//! What the diff says about domain facts beside operations and types: refusals, base URLs and signing, CLI-only
//! facts, mock-only data, crate metadata, cookies and the browser profile, signers.

use super::*;

/// The changes of one crate of a report.
fn changes_of(r: &Report, krate: &str) -> Vec<Change> {
    r.crates
        .iter()
        .filter(|c| c.crate_name == krate)
        .flat_map(|c| c.changes.clone())
        .collect()
}

#[test]
fn refusals_added_removed_or_retyped_break() {
    // A success-shaped body becomes an error (or stops being one): unchanged calls get another result.
    let p = Pair::new("refusal-added", "onebound");
    p.edit(
        DOMAIN,
        "  billed: true\n",
        "  billed: true\n  refusals:\n    - { path: error, equals: blocked, kind: captcha }\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.area, c.subject.as_str()),
        (Class::Breaking, "refusal", "`error` = `blocked`")
    );
    assert!(c.detail.starts_with("added"), "{c:?}");

    let p = Pair::new("refusal-kind", "web");
    p.edit(
        "specs/web/domain.yaml",
        "equals: verify_check, kind: captcha",
        "equals: verify_check, kind: login",
    );
    p.edit(
        "specs/web/domain.yaml",
        "    - { path: search_nil_info.search_nil_type, equals: login, kind: login }\n",
        "",
    );
    let changes = p.changes();
    let refusals: Vec<&Change> = changes.iter().filter(|c| c.class != Class::Docs).collect();
    assert_eq!(refusals.len(), 2, "{changes:#?}");
    assert!(refusals
        .iter()
        .all(|c| c.class == Class::Breaking && c.area == "refusal"));
    assert_eq!(
        refusals
            .iter()
            .map(|c| (c.subject.as_str(), c.detail.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                "`search_nil_info.search_nil_type` = `login`",
                "removed: a body of this shape is a success again (was login)"
            ),
            (
                "`search_nil_info.search_nil_type` = `verify_check`",
                "kind captcha → login"
            ),
        ]
    );
}

#[test]
fn operation_base_url_breaks_signing_is_a_wire_fact() {
    let p = Pair::new("op-base-url", "onebound");
    p.edit(
        OP,
        "method: GET\n",
        "method: GET\nbase_url: https://api.onebound.cn\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.area, c.subject.as_str(), c.detail.as_str()),
        (
            Class::Breaking,
            "base URL",
            "`item_get_video`",
            "the domain's → https://api.onebound.cn"
        )
    );

    let p = Pair::new("op-signing", "web");
    p.edit(
        "specs/web/hot_search_list.yaml",
        "method: GET\n",
        "method: GET\nsigning: []\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.area, c.subject.as_str(), c.detail.as_str()),
        (
            Class::Additive,
            "operation",
            "`hot_search_list`",
            "signing x_bogus → none"
        )
    );
}

#[test]
fn cli_file_flags_belong_to_the_cli() {
    let p = Pair::new("cli-file", "web");
    let removed = "    cli_file:                       # `douyin web … --cookies FILE`: the cookie credential read from a file\n      flag: cookies\n";
    p.edit(
        "specs/web/domain.yaml",
        removed,
        "    cli_file:\n      flag: cookie-file\n",
    );
    let r = p.report();
    // The web crate's API is untouched; the CLI's flag changed.
    assert!(changes_of(&r, "douyin-web").is_empty(), "{r:#?}");
    let cli = changes_of(&r, "douyin-cli");
    let api: Vec<(Class, &str, &str)> = cli
        .iter()
        .map(|c| (c.class, c.subject.as_str(), c.detail.as_str()))
        .collect();
    assert_eq!(
        api,
        [
            (
                Class::Breaking,
                "`--cookies FILE`",
                "removed (read the credential `cookie` of `web`)"
            ),
            (
                Class::Additive,
                "`--cookie-file FILE`",
                "added: reads the credential `cookie` of `web` from a file"
            ),
        ]
    );
    assert!(cli.iter().all(|c| c.area == "CLI flag"));
    assert!(render::markdown(&r).contains("**`douyin-cli`**"));

    let p = Pair::new("cli-help", "web");
    p.edit(
        "specs/web/domain.yaml",
        "the cookie credential from a file:",
        "the cookie from a file:",
    );
    let changes = p.changes();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        (changes[0].class, changes[0].subject.as_str()),
        (Class::Docs, "CLI flag `--cookies`")
    );
}

#[test]
fn mock_success_is_test_data_only() {
    let p = Pair::new("mock", "web");
    p.edit(
        "specs/web/aweme_post.yaml",
        "mock:\n  success:                          # a real capture (specs/web/captures/README.md)\n    file: captures/web-aweme-post.json\n",
        "",
    );
    let changes = p.changes();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = &changes[0];
    assert_eq!(
        (c.class, c.area, c.subject.as_str()),
        (Class::Docs, "mock", "mock answer of `aweme_post`")
    );
    assert_eq!(
        c.detail,
        "`specs/web/captures/web-aweme-post.json` → the first `ok` example"
    );
}

#[test]
fn crate_metadata_modules_reexports_dependencies() {
    let p = Pair::new("crate-meta", "onebound");
    std::fs::write(
        p.new.join("crates/douyin-onebound/src/extra.rs"),
        "//! A new hand-written module.\n",
    )
    .unwrap();
    p.edit(
        DOMAIN,
        "  modules: [constructors]\n  reexports: [constructors::credentials]\n",
        "  modules: [constructors, extra]\n  reexports: []\n  dependencies:\n    - name: fastrand\n      version: \"2\"\n  dev_dependencies:\n    - name: futures\n",
    );
    p.edit(
        DOMAIN,
        "  description: Typed client",
        "  description: A typed client",
    );
    let changes = p.changes();
    let got: Vec<(Class, &str, &str, &str, Option<&str>)> = changes
        .iter()
        .map(|c| {
            (
                c.class,
                c.area,
                c.subject.as_str(),
                c.detail.as_str(),
                c.rust.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                Class::Breaking,
                "re-export",
                "`constructors::credentials`",
                "removed",
                Some("douyin_onebound::credentials")
            ),
            (
                Class::Additive,
                "dependency",
                "`fastrand`",
                "added (version 2)",
                None
            ),
            (
                Class::Additive,
                "module",
                "`extra`",
                "added",
                Some("douyin_onebound::extra")
            ),
            (
                Class::Docs,
                "dev-dependency",
                "`futures`",
                "added (version workspace)",
                None
            ),
            (
                Class::Docs,
                "documentation",
                "crate description",
                "text changed",
                None
            ),
        ]
    );
}

#[test]
fn link_arguments_belong_to_the_cli() {
    let p = Pair::new("link", "web");
    p.edit("specs/web/aweme_detail.yaml", "    link: aweme\n", "");
    let r = p.report();
    // The client's API is untouched; the command stops taking links.
    assert!(changes_of(&r, "douyin-web").is_empty(), "{r:#?}");
    let cli = changes_of(&r, "douyin-cli");
    assert_eq!(cli.len(), 1, "{cli:#?}");
    assert_eq!(
        (
            cli[0].class,
            cli[0].area,
            cli[0].subject.as_str(),
            cli[0].detail.as_str()
        ),
        (
            Class::Breaking,
            "CLI argument",
            "`douyin web aweme-detail --aweme-id`",
            "no longer takes a link (aweme): ids only"
        )
    );
}

#[test]
fn response_cookies_and_the_browser_profile() {
    // Dropping the only response cookie removes `ttwid_register_with_cookies`.
    let p = Pair::new("cookies-gone", "web");
    p.edit("specs/web/ttwid_register.yaml", "  cookies: [ttwid]\n", "");
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str(), c.rust.as_deref()),
        (
            Class::Breaking,
            "response cookies no longer returned: `ttwid`",
            Some("douyin_web::Client::ttwid_register_with_cookies")
        )
    );

    // One more cookie is additive.
    let p = Pair::new("cookies-more", "web");
    p.edit(
        "specs/web/ttwid_register.yaml",
        "  cookies: [ttwid]\n",
        "  cookies: [ttwid, passport_csrf_token]\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.detail.as_str()),
        (
            Class::Additive,
            "also returns response cookies `passport_csrf_token`"
        )
    );

    // Sending the browser profile again is a wire fact.
    let p = Pair::new("profile", "web");
    p.edit(
        "specs/web/ttwid_register.yaml",
        "session_profile: false\n",
        "",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.subject.as_str(), c.detail.as_str()),
        (
            Class::Additive,
            "`ttwid_register`",
            "browser profile not sent → sent"
        )
    );
}

#[test]
fn a_signer_added_is_additive_and_removed_breaks_its_name() {
    let p = Pair::new("signer", "web");
    p.edit(
        "specs/web/domain.yaml",
        "signing: [x_bogus]\n",
        "  - name: x_bogus_legacy\n    doc: The same X-Bogus signer under another name.\n    type: signing::XBogusSigner\n    params: [X-Bogus]\nsigning: [x_bogus]\n",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (
            c.class,
            c.area,
            c.subject.as_str(),
            c.detail.as_str(),
            c.rust.as_deref()
        ),
        (
            Class::Additive,
            "signer",
            "`x_bogus_legacy`",
            "added: `signing::XBogusSigner` appending X-Bogus",
            Some("douyin_web::signer_names::X_BOGUS_LEGACY")
        )
    );
    // The same pair the other way round: the signer goes.
    let back: Vec<Change> = diff_roots(&p.new, &p.old)
        .unwrap()
        .crates
        .into_iter()
        .flat_map(|c| c.changes)
        .filter(|c| c.class != Class::Docs)
        .collect();
    assert_eq!(back.len(), 1, "{back:#?}");
    assert_eq!(
        (back[0].class, back[0].detail.as_str()),
        (Class::Breaking, "removed")
    );
}

#[test]
fn a_changed_budget_is_reported_as_a_wire_fact() {
    let p = Pair::new("budget", "web");
    p.edit(
        "specs/web/aweme_detail.yaml",
        "per_second: 0.3,",
        "per_second: 0.5,",
    );
    let c = only(&p.changes()).clone();
    assert_eq!(
        (c.class, c.area, c.subject.as_str()),
        (Class::Additive, "pacing", "`aweme_detail`")
    );
    assert!(
        c.detail.starts_with("0.3/s per identity (burst 1)")
            && c.detail.contains("→ 0.5/s per identity"),
        "{}",
        c.detail
    );
}
