//! Runs one function over many items on every core, keeping the items' order in the results,
//! so that what is printed and written does not depend on which thread finished first.

use std::num::NonZeroUsize;

/// `items.iter().map(f).collect()`, computed on up to one thread per core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    // Thread `t` takes items t, t + threads, t + 2 * threads, …: neighbours cost alike, so
    // striding shares the work more evenly than cutting the list into blocks.
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    // Workers read inputs for the run that started them: they record into its record.
    let record = crate::cache::deps::current();
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let record = record.clone();
                scope.spawn(move || {
                    crate::cache::deps::adopt(record);
                    items.iter().enumerate().skip(t).step_by(threads).map(|(i, item)| (i, f(item))).collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            // A panic in `f` is a bug; it goes on up as it would without threads.
            let done = worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, result) in done {
                slots[i] = Some(result);
            }
        }
    });
    slots.into_iter().map(|r| r.expect("every item is mapped by exactly one thread")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u64], |i| *i).is_empty());
    }
}
