//! The worker threads that library kernels may split their work over (today: the float
//! matrix products of `linalg`): a count the host chooses (`nx --threads N`), and a pool of
//! that many threads, built the first time a product large enough to share asks for it.
//!
//! This is the one place in the runtime that owns threads. The pool belongs to the value
//! (a rayon pool of its own, not rayon's global one), so two sessions with different counts
//! do not interfere, and a session that never multiplies large matrices starts no thread.
//! Work split over the pool must give the same bits whatever the count (spec §11): each
//! user of `Workers` documents how it keeps that promise.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

pub struct Workers {
    count: NonZeroUsize,
    /// Built on first use; `None` if the threads could not be started, in which case the
    /// work runs on the calling thread alone (same results, only slower).
    pool: OnceLock<Option<rayon::ThreadPool>>,
}

impl Workers {
    /// Workers for `count` threads. With one, all work runs on the calling thread and no
    /// pool is ever started.
    pub fn new(count: NonZeroUsize) -> Workers {
        Workers {
            count,
            pool: OnceLock::new(),
        }
    }

    /// One thread per core the process may run on (as `std::thread::available_parallelism`
    /// reports it; 1 if that is unknown).
    pub fn default_count() -> NonZeroUsize {
        std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
    }

    pub fn count(&self) -> NonZeroUsize {
        self.count
    }

    /// Whether the pool's threads have been started (by a `run` with more than one).
    pub fn is_started(&self) -> bool {
        self.pool.get().is_some_and(|pool| pool.is_some())
    }

    /// Runs `work`, handing it the number of threads it may split into: inside the pool
    /// (the calling thread waits) when the count is above 1, else on the calling thread.
    pub fn run<R: Send>(&self, work: impl FnOnce(usize) -> R + Send) -> R {
        let count = self.count.get();
        if count == 1 {
            return work(1);
        }
        let pool = self.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(count)
                .thread_name(|index| format!("nx-worker-{index}"))
                .build()
                .ok()
        });
        match pool {
            Some(pool) => pool.install(|| work(count)),
            None => work(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_runs_on_the_calling_thread_and_starts_no_pool() {
        let workers = Workers::new(NonZeroUsize::MIN);
        let caller = std::thread::current().id();
        assert_eq!(
            workers.run(|count| (count, std::thread::current().id())),
            (1, caller)
        );
        assert!(!workers.is_started());
    }

    #[test]
    fn several_workers_run_in_their_own_pool() {
        let workers = Workers::new(NonZeroUsize::new(3).unwrap());
        assert!(!workers.is_started(), "the pool starts on first use");
        let (count, in_pool) = workers.run(|count| (count, rayon::current_num_threads()));
        assert_eq!((count, in_pool), (3, 3));
        assert!(workers.is_started());
    }
}
