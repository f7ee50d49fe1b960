//! The evaluation's inputs, read and grouped once and kept while the registry is unchanged.
//!
//! Reading a million filings and grouping them by company is most of an evaluation (about
//! three quarters of it at 1M); the rules themselves are quick by comparison. The Subsidies
//! screen evaluates again for every as-of date, rule switched on or off and rule edited, none of
//! which changes the filings or the facts, so the grouping is kept with the version of the data
//! it was read from and built again only when that version moves.

use super::eval::{Enterprises, FilingFact};
use super::facts::CompanyFacts;

/// What [`Enterprises::gather`] borrows from.
pub struct Inputs {
    pub filings: Vec<FilingFact>,
    pub companies: Vec<CompanyFacts>,
}

self_cell::self_cell!(
    /// The inputs and their grouping, kept together so the grouping may borrow the inputs.
    pub struct Snapshot {
        owner: Inputs,
        #[covariant]
        dependent: Enterprises,
    }
);

impl Snapshot {
    pub fn build(inputs: Inputs) -> Snapshot {
        Snapshot::new(inputs, |i| Enterprises::gather(&i.filings, &i.companies))
    }

    pub fn enterprises(&self) -> &Enterprises<'_> {
        self.borrow_dependent()
    }
}

/// A snapshot and the version of the data it was read at (any value that changes whenever the
/// filings or the company facts may have changed).
#[derive(Default)]
pub struct Kept<V> {
    slot: std::sync::Mutex<Option<(V, Snapshot)>>,
}

impl<V: PartialEq> Kept<V> {
    /// Runs `f` on the snapshot of `version`, reading it with `read` first when the kept one is
    /// of another version (or there is none). The old snapshot is dropped before the new one is
    /// read, so two are never held at once.
    pub fn with<T, E>(
        &self,
        version: V,
        read: impl FnOnce() -> Result<Inputs, E>,
        f: impl FnOnce(&Enterprises<'_>) -> T,
    ) -> Result<T, E> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_none_or(|(v, _)| *v != version) {
            *slot = None;
            *slot = Some((version, Snapshot::build(read()?)));
        }
        let (_, snapshot) = slot.as_ref().expect("just filled");
        Ok(f(snapshot.enterprises()))
    }

    /// Drops the kept snapshot (its memory: about half a gigabyte at a million filings).
    pub fn clear(&self) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub fn is_kept(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}
