//! Checks of `pacing:`: figures that make sense, and an operation's override only where the domain paces. (A
//! captcha or login risk signal without an `envelope.refusals` entry of that kind is allowed: it never fires, and a
//! spec change removing a refusal should not have to touch pacing.)

use super::Ctx;
use crate::spec::load::{Loaded, RawDomain, SourceMap};
use crate::spec::model::OperationFile;
use crate::spec::pacing::Pacing;

impl Ctx<'_> {
    /// Checks the domain's own figures and risk signals (once, against domain.yaml).
    pub(super) fn domain_pacing(&mut self, raw: &RawDomain) {
        let d = &raw.domain.value;
        let Some(domain) = &d.pacing else {
            return;
        };
        let pacing = Pacing::resolve(domain, None);
        self.pacing_problems(&pacing, &raw.domain.map, true);
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
            self.pacing_problems(&pacing, &op.map, false);
        }
        Some(pacing)
    }

    /// `whole`: the cooldown and breaker are checked too (they are the domain's alone).
    fn pacing_problems(&mut self, pacing: &Pacing, map: &SourceMap, whole: bool) {
        for (path, message) in pacing.problems() {
            if whole || path[0] == "budget" {
                let mut at = vec!["pacing"];
                at.extend_from_slice(path);
                self.errors.push(map.error(&at, message));
            }
        }
    }
}
