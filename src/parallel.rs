//! Work on long lists shared among the machine's cores, for the few steps of a command
//! that are CPU-bound in the process itself (keyed references of a batch, the parsing
//! of its lines). Short lists stay on the calling thread: below a few thousand items
//! the work takes a millisecond or less, and a check of one subject, which must answer
//! in about two, starts no thread and reads no CPU count.

/// Below this many items, [`map`] runs on the calling thread.
const THREADED_FROM: usize = 4096;

/// The threads [`map`] uses, and audit verification's hashing: the machine's cores, at
/// most 8.
pub(crate) fn threads() -> usize {
    #[cfg(test)]
    tests::CPU_COUNT_READS.with(|n| n.set(n.get() + 1));
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// `f` of each item, in the items' order. A long list is cut into one contiguous run of
/// items per core, each mapped on a scoped thread of its own.
pub(crate) fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    // The length first: the count of cores is read from the kernel (cgroup files).
    if items.len() < THREADED_FROM {
        return items.iter().map(f).collect();
    }
    let threads = threads();
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let runs: Vec<_> = items
            .chunks(per_thread)
            .map(|run| scope.spawn(move || run.iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut mapped = Vec::with_capacity(items.len());
        for run in runs {
            match run.join() {
                Ok(part) => mapped.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        mapped
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How often this thread asked for the count of cores ([`threads`]).
        pub(super) static CPU_COUNT_READS: Cell<usize> = const { Cell::new(0) };
    }

    #[test]
    fn a_short_list_reads_no_cpu_count_and_starts_no_thread() {
        let reads = || CPU_COUNT_READS.with(Cell::get);
        let before = reads();
        let caller = std::thread::current().id();
        let short: Vec<u32> = (0..THREADED_FROM as u32 - 1).collect();
        let ran_on = map(&short, |_| std::thread::current().id());
        assert!(ran_on.iter().all(|id| *id == caller));
        assert_eq!(reads(), before, "a short list read the count of cores");
        let long: Vec<u32> = (0..THREADED_FROM as u32).collect();
        map(&long, |i| *i);
        assert_eq!(reads(), before + 1, "a long list reads it once");
    }

    #[test]
    fn a_long_list_keeps_its_order() {
        let items: Vec<u64> = (0..(THREADED_FROM as u64 * 3 + 7)).collect();
        let mapped = map(&items, |i| i * 2);
        assert_eq!(mapped, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_short_list_is_mapped_too() {
        assert_eq!(map(&[1, 2, 3], |i| i + 1), vec![2, 3, 4]);
        assert!(map(&[] as &[u8], |i| *i).is_empty());
    }
}
