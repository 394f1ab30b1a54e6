//! The worker threads that kernel launches and library kernels may split their work over: a
//! count the host chooses (`nx --threads N`), and a pool of that many threads, built the
//! first time work large enough to share asks for it; or a pool the embedding host supplies
//! (`Workers::with_pool`), so nx's work shares the host's threads instead of adding its own.
//!
//! This is the one place in the runtime that owns threads. The pool belongs to the value
//! (a rayon pool of its own, not rayon's global one), so two sessions with different counts
//! do not interfere, and a session that never runs large work starts no thread.
//! Work split over the pool must give the same bits whatever the count (spec §11): each
//! user of `Workers` documents how it keeps that promise.

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

pub struct Workers {
    count: NonZeroUsize,
    /// Built on first use (or the host's); `None` if the threads could not be started, in
    /// which case the work runs on the calling thread alone (same results, only slower).
    pool: OnceLock<Option<Arc<rayon::ThreadPool>>>,
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

    /// Workers that run on the host's `pool`, as many as it has threads.
    pub fn with_pool(pool: Arc<rayon::ThreadPool>) -> Workers {
        let count = NonZeroUsize::new(pool.current_num_threads()).unwrap_or(NonZeroUsize::MIN);
        Workers {
            count,
            pool: OnceLock::from(Some(pool)),
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
                .map(Arc::new)
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

    #[test]
    fn a_host_pool_runs_the_work() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .thread_name(|index| format!("host-{index}"))
            .build()
            .unwrap();
        let workers = Workers::with_pool(Arc::new(pool));
        assert_eq!(workers.count().get(), 2);
        let (count, name) = workers.run(|count| {
            let name = std::thread::current().name().map(str::to_string);
            (count, name)
        });
        assert_eq!(count, 2);
        assert!(name.is_some_and(|name| name.starts_with("host-")));
    }
}
