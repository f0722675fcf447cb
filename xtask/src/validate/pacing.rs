//! Checks of `pacing:`: figures that make sense, an operation's override only where the domain paces, and every
//! risk signal something the domain can answer (a captcha or login signal needs a refusal of that kind).

use super::Ctx;
use crate::spec::load::{Loaded, RawDomain, SourceMap};
use crate::spec::model::{DomainFile, OperationFile, RefusalKind};
use crate::spec::pacing::{Pacing, RiskSignal};

impl Ctx<'_> {
    /// Checks the domain's own figures and risk signals (once, against domain.yaml).
    pub(super) fn domain_pacing(&mut self, raw: &RawDomain) {
        let d = &raw.domain.value;
        let Some(domain) = &d.pacing else {
            return;
        };
        let pacing = Pacing::resolve(domain, None);
        self.pacing_problems(&pacing, &raw.domain.map, true, d);
    }

    /// The pacing of `op` with the domain's defaults filled in, `None` where the domain declares none.
    pub(super) fn pacing(&mut self, raw: &RawDomain, op: &Loaded<OperationFile>) -> Option<Pacing> {
        let d = &raw.domain.value;
        let own = op.value.pacing.as_ref();
        let Some(domain) = &d.pacing else {
            if own.is_some() {
                self.errors.push(op.map.error(
                    &["pacing"],
                    "an operation's pacing overrides the domain's: give domain.yaml a `pacing:` first",
                ));
            }
            return None;
        };
        let pacing = Pacing::resolve(domain, own);
        if own.is_some() {
            self.pacing_problems(&pacing, &op.map, false, d);
        }
        Some(pacing)
    }

    /// `whole`: the cooldown and breaker are checked too (they are the domain's alone).
    fn pacing_problems(&mut self, pacing: &Pacing, map: &SourceMap, whole: bool, d: &DomainFile) {
        for (path, message) in pacing.problems() {
            if whole || path[0] == "budget" {
                let mut at = vec!["pacing"];
                at.extend_from_slice(path);
                self.errors.push(map.error(&at, message));
            }
        }
        for signal in &pacing.risk_signals {
            let kind = match signal {
                RiskSignal::Captcha => RefusalKind::Captcha,
                RiskSignal::Login => RefusalKind::Login,
                _ => continue,
            };
            if !d.envelope.refusals.iter().any(|r| r.kind == kind) {
                self.errors.push(map.error(
                    &["pacing", "risk_signals"],
                    format!(
                        "risk signal `{}` needs an `envelope.refusals` entry of that kind",
                        signal.as_str()
                    ),
                ));
            }
        }
    }
}
