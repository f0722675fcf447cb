//! Pacing as generated constants: the domain's `PACING` (a `douyin_core::pacing::Pacing`) once, and each
//! operation's `pacing` as that constant, with its own budget or risk signals where its spec overrides them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Domain, Pacing};
use crate::spec::pacing::{Budget, RiskSignal};

/// `const PACING: Pacing = …;` of the domain, or nothing where the domain does not pace.
pub fn domain_const(domain: &Domain) -> TokenStream {
    let Some(d) = &domain.pacing else {
        return TokenStream::new();
    };
    let p = Pacing::resolve(d, None);
    let budget = budget(p.budget);
    let signals = signals(&p.risk_signals);
    let millis = |seconds: f64| (seconds * 1000.0).round() as u64;
    let (initial, max) = (
        millis(p.cooldown.initial_seconds),
        millis(p.cooldown.max_seconds),
    );
    let b = p.breaker;
    let (refusals, identities) = (b.refusals, b.identities);
    let (window, open_for) = (millis(b.window_seconds), millis(b.open_seconds));
    quote! {
        /// The domain's pacing (`pacing:` of its spec): every operation's unless it overrides budget or risk signals.
        pub const PACING: ::douyin_core::pacing::Pacing = ::douyin_core::pacing::Pacing::new(
            #budget,
            #signals,
            ::douyin_core::pacing::Cooldown::new(
                ::std::time::Duration::from_millis(#initial),
                ::std::time::Duration::from_millis(#max),
            ),
            ::douyin_core::pacing::BreakerRule::new(
                #refusals,
                #identities,
                ::std::time::Duration::from_millis(#window),
                ::std::time::Duration::from_millis(#open_for),
            ),
        );
    }
}

/// An operation's `pacing` field: `None`, or `Some(PACING)` with its overrides.
pub fn tokens(domain: &Domain, pacing: Option<&Pacing>) -> TokenStream {
    let (Some(p), Some(d)) = (pacing, &domain.pacing) else {
        return quote!(::std::option::Option::None);
    };
    let mut value = quote!(PACING);
    if p.budget != d.budget {
        let b = budget(p.budget);
        value = quote!(#value.with_budget(#b));
    }
    if p.risk_signals != d.risk_signals {
        let s = signals(&p.risk_signals);
        value = quote!(#value.with_risk_signals(#s));
    }
    quote!(::std::option::Option::Some(#value))
}

fn budget(b: Budget) -> TokenStream {
    let (per_second, burst) = (b.per_second, b.burst);
    quote!(::douyin_core::pacing::Budget::new(#per_second, #burst))
}

fn signals(signals: &[RiskSignal]) -> TokenStream {
    let v = signals.iter().map(|s| {
        let v = format_ident!("{}", s.variant());
        quote!(::douyin_core::pacing::RiskSignal::#v)
    });
    quote!(&[#(#v),*])
}
