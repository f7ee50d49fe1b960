//! A list's spare room written in ranges, each range by its own thread: the parts of a list
//! worked out side by side land where they belong, rather than being copied together after
//! (at a million filings such a copy was 25 ms of fresh memory each time).

use std::mem::MaybeUninit;

/// Values written one after another into a range of a list's spare room. Those written are
/// dropped again unless kept, so a part that stops short (an error, a panic) leaks nothing.
pub(crate) struct Slots<'s, T> {
    slots: &'s mut [MaybeUninit<T>],
    len: usize,
}

impl<'s, T> Slots<'s, T> {
    pub(crate) fn new(slots: &'s mut [MaybeUninit<T>]) -> Self {
        Slots { slots, len: 0 }
    }

    /// Writes `value` into the next slot; gives it back when every slot is written.
    pub(crate) fn push(&mut self, value: T) -> Result<(), T> {
        match self.slots.get_mut(self.len) {
            Some(slot) => {
                slot.write(value);
                self.len += 1;
                Ok(())
            }
            None => Err(value),
        }
    }

    /// How many are written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether every slot is written.
    pub(crate) fn full(&self) -> bool {
        self.len == self.slots.len()
    }

    /// The values written so far.
    pub(crate) fn written(&mut self) -> &mut [T] {
        let written = &mut self.slots[..self.len];
        // SAFETY: the first `len` slots were written by `push` and not dropped since, and
        // `MaybeUninit<T>` has the layout of `T`.
        unsafe { &mut *(written as *mut [MaybeUninit<T>] as *mut [T]) }
    }

    /// Leaves the values written where they are, for the list to own (its length set past
    /// them by the caller). Returns how many there are.
    pub(crate) fn keep(self) -> usize {
        let len = self.len;
        std::mem::forget(self);
        len
    }
}

impl<T> Drop for Slots<'_, T> {
    fn drop(&mut self) {
        let written: *mut [T] = self.written();
        // SAFETY: these values were written and are dropped only here.
        unsafe { std::ptr::drop_in_place(written) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn values_written_and_not_kept_are_dropped_once() {
        let counted = Arc::new(());
        let mut list: Vec<Arc<()>> = Vec::with_capacity(3);
        {
            let mut slots = Slots::new(&mut list.spare_capacity_mut()[..3]);
            assert!(slots.push(Arc::clone(&counted)).is_ok());
            assert!(slots.push(Arc::clone(&counted)).is_ok());
            assert_eq!((slots.len(), slots.full()), (2, false));
            assert_eq!(slots.written().len(), 2);
            assert_eq!(Arc::strong_count(&counted), 3);
        }
        assert_eq!(Arc::strong_count(&counted), 1, "dropped with the slots");
        {
            let mut slots = Slots::new(&mut list.spare_capacity_mut()[..2]);
            assert!(slots.push(Arc::clone(&counted)).is_ok());
            assert!(slots.push(Arc::clone(&counted)).is_ok());
            assert!(slots.full());
            let refused = slots.push(Arc::clone(&counted)).unwrap_err();
            drop(refused);
            assert_eq!(slots.keep(), 2);
        }
        // SAFETY: the first two slots were written and kept.
        unsafe { list.set_len(2) };
        assert_eq!(Arc::strong_count(&counted), 3, "kept in the list");
        drop(list);
        assert_eq!(Arc::strong_count(&counted), 1);
    }
}
