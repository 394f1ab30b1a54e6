//! Raw element storage (`Buffer`): an owned, zeroed, 64-byte-aligned heap allocation, or
//! external memory (a host's array, a memory-mapped file) kept alive by an owner object.
//!
//! A buffer is only bytes: dtype, shape and strides live in `Array`. Allocation never
//! aborts the process: running out of memory is an `AllocError` the caller reports as a
//! run-time error (spec §10).

use std::alloc::{self, Layout};
use std::any::Any;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Alignment of owned buffers: a cache line, and enough for any SIMD load codegen emits.
pub const BUFFER_ALIGNMENT: usize = 64;

/// Where a buffer's bytes came from, and so how they are released.
enum Storage {
    /// Allocated by `Buffer::zeroed` with this layout; `None` for a zero-byte buffer,
    /// whose pointer is dangling and never freed.
    Owned(Option<Layout>),
    /// A private anonymous mapping of `n_bytes` (large buffers): the kernel hands out zero
    /// pages lazily, so a fresh buffer costs no memset.
    Mapped,
    /// Someone else's memory, valid while the owner lives; dropping the owner releases it.
    External { _owner: Box<dyn Any + Send + Sync> },
}

/// Buffers of at least this many bytes are mapped directly from the OS (see `Buffer::mapped`).
const MAP_THRESHOLD_BYTES: usize = 1 << 20;

/// A byte buffer; see the module documentation.
///
/// Writes go through `as_mut_ptr(&self)`: the buffer itself does not police aliasing.
/// `Array::make_mut` is what guarantees that a writer holds the only reference.
pub struct Buffer {
    ptr: *mut u8,
    n_bytes: usize,
    storage: Storage,
}

// SAFETY: the buffer exclusively owns its allocation (or the external owner, which is
// itself Send + Sync), and the raw pointer is only a handle to that memory. Concurrent
// writes through `as_mut_ptr` are the caller's responsibility, as for any raw pointer.
unsafe impl Send for Buffer {}
// SAFETY: as above; `&Buffer` only hands out the pointer and length.
unsafe impl Sync for Buffer {}

/// An allocation of `bytes` bytes failed (or its size overflowed the address space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError {
    pub bytes: usize,
}

impl fmt::Display for AllocError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "memory exhausted: cannot allocate {} bytes",
            self.bytes
        )
    }
}

impl std::error::Error for AllocError {}

/// Freed large mappings kept for reuse. Array programs free and request the same large sizes
/// over and over (a statement in a loop, a temporary per iteration); a reused mapping has its
/// pages faulted in already, where a fresh one costs a page fault per page (or per huge page)
/// and the OS zeroing it. Process-wide, like the allocator it stands in for, and bounded so
/// that an idle pool holds little.
struct MappingPool {
    /// (address, length) of each kept mapping.
    free: Vec<(usize, usize)>,
    bytes: usize,
}

static POOL: Mutex<MappingPool> = Mutex::new(MappingPool {
    free: Vec::new(),
    bytes: 0,
});

const POOL_MAX_MAPPINGS: usize = 8;
const POOL_MAX_BYTES: usize = 1 << 30;

impl MappingPool {
    /// A kept mapping of exactly `n_bytes`, if there is one.
    fn take(n_bytes: usize) -> Option<*mut u8> {
        let mut pool = POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let index = pool.free.iter().position(|&(_, len)| len == n_bytes)?;
        let (address, _) = pool.free.swap_remove(index);
        pool.bytes -= n_bytes;
        Some(address as *mut u8)
    }

    /// Keeps a freed mapping if the pool has room; false if the caller must unmap it.
    fn give(ptr: *mut u8, n_bytes: usize) -> bool {
        let mut pool = POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if pool.free.len() >= POOL_MAX_MAPPINGS || pool.bytes + n_bytes > POOL_MAX_BYTES {
            return false;
        }
        pool.free.push((ptr as usize, n_bytes));
        pool.bytes += n_bytes;
        true
    }
}

/// How many nonempty buffers this process has allocated: the allocator statistic that tests of
/// buffer reuse count (a statistic only; nothing depends on it).
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The number of nonempty owned buffers allocated so far by this process.
pub fn allocation_count() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

impl Buffer {
    /// A fresh owned buffer of `n_bytes` zero bytes, aligned to `BUFFER_ALIGNMENT`.
    /// `n_bytes == 0` is allowed and allocates nothing.
    pub fn zeroed(n_bytes: usize) -> Result<Buffer, AllocError> {
        if n_bytes > 0 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        if n_bytes == 0 {
            return Ok(Buffer {
                // An aligned, non-null address that is never dereferenced for zero bytes.
                ptr: std::ptr::without_provenance_mut(BUFFER_ALIGNMENT),
                n_bytes: 0,
                storage: Storage::Owned(None),
            });
        }
        if n_bytes >= MAP_THRESHOLD_BYTES {
            return Buffer::mapped(n_bytes, true);
        }
        let layout = Layout::from_size_align(n_bytes, BUFFER_ALIGNMENT)
            .map_err(|_| AllocError { bytes: n_bytes })?;
        // SAFETY: `layout` has a nonzero size, checked above.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(AllocError { bytes: n_bytes });
        }
        Ok(Buffer {
            ptr,
            n_bytes,
            storage: Storage::Owned(Some(layout)),
        })
    }

    /// A fresh owned buffer of `n_bytes` bytes whose contents are unspecified (zero or left
    /// over from an earlier buffer of this process), for an output the caller overwrites
    /// completely before anyone reads it: large ones skip zeroing a reused mapping.
    pub fn for_overwrite(n_bytes: usize) -> Result<Buffer, AllocError> {
        if n_bytes >= MAP_THRESHOLD_BYTES {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            return Buffer::mapped(n_bytes, false);
        }
        Buffer::zeroed(n_bytes)
    }

    /// Large buffers are memory mappings: a freed one of the same size from the pool (see
    /// `MappingPool`), zeroed only if asked, or a fresh one from `mmap`. The allocator's
    /// `alloc_zeroed` would memset every byte for our 64-byte alignment (touching every page
    /// up front), while fresh anonymous pages are zero already and are faulted in only when a
    /// kernel writes them. Transparent huge pages are requested where the OS allows, to cut
    /// those faults.
    fn mapped(n_bytes: usize, zeroed: bool) -> Result<Buffer, AllocError> {
        if let Some(ptr) = MappingPool::take(n_bytes) {
            if zeroed {
                // SAFETY: the pooled mapping is `n_bytes` writable bytes that nothing else uses.
                unsafe { std::ptr::write_bytes(ptr, 0, n_bytes) };
            }
            return Ok(Buffer {
                ptr,
                n_bytes,
                storage: Storage::Mapped,
            });
        }
        // SAFETY: an anonymous private mapping with no address hint has no preconditions.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                n_bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(AllocError { bytes: n_bytes });
        }
        // SAFETY: `ptr..ptr + n_bytes` is the mapping just made; the advice is only a hint.
        unsafe { libc::madvise(ptr, n_bytes, libc::MADV_HUGEPAGE) };
        Ok(Buffer {
            ptr: ptr.cast::<u8>(),
            n_bytes,
            storage: Storage::Mapped,
        })
    }

    /// Wraps memory owned by someone else; `owner` is dropped when the buffer is.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `n_bytes` bytes for as long as `owner`
    /// lives, and nothing else may free or move that memory meanwhile.
    pub unsafe fn from_external(
        ptr: *mut u8,
        n_bytes: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Buffer {
        Buffer {
            ptr,
            n_bytes,
            storage: Storage::External { _owner: owner },
        }
    }

    pub fn as_ptr(&self) -> *const u8 {
        self.ptr
    }

    /// The start of the bytes, for writing. Only write when no one else can observe the
    /// buffer (see `Array::make_mut`).
    pub fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn len_bytes(&self) -> usize {
        self.n_bytes
    }

    pub fn is_external(&self) -> bool {
        matches!(self.storage, Storage::External { .. })
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        match self.storage {
            Storage::Owned(Some(layout)) => {
                // SAFETY: `ptr` came from `alloc_zeroed(layout)` in `zeroed` and is freed once.
                unsafe { alloc::dealloc(self.ptr, layout) };
            }
            Storage::Mapped => {
                if !MappingPool::give(self.ptr, self.n_bytes) {
                    // SAFETY: `ptr..ptr + n_bytes` is the mapping made in `mapped`, unmapped
                    // once (the pool did not keep it).
                    unsafe { libc::munmap(self.ptr.cast(), self.n_bytes) };
                }
            }
            Storage::Owned(None) | Storage::External { .. } => {}
        }
        // External storage: dropping `_owner` (a field) releases the memory.
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Buffer")
            .field("ptr", &self.ptr)
            .field("n_bytes", &self.n_bytes)
            .field("external", &self.is_external())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn zeroed_is_zero_and_aligned() {
        let buffer = Buffer::zeroed(1000).unwrap();
        assert_eq!(buffer.len_bytes(), 1000);
        assert_eq!(buffer.as_ptr() as usize % BUFFER_ALIGNMENT, 0);
        assert!(!buffer.is_external());
        // SAFETY: the buffer holds 1000 initialized bytes.
        let bytes = unsafe { std::slice::from_raw_parts(buffer.as_ptr(), 1000) };
        assert!(bytes.iter().all(|&byte| byte == 0));
    }

    #[test]
    fn a_pooled_mapping_is_reused_and_zeroed_again() {
        // A size no other test asks for, so the pooled mapping is this test's own.
        let n_bytes = MAP_THRESHOLD_BYTES + 4096 * 37;
        let first = Buffer::for_overwrite(n_bytes).unwrap();
        let address = first.as_ptr();
        // SAFETY: the buffer holds `n_bytes` writable bytes that only this test uses.
        unsafe { std::ptr::write_bytes(first.as_mut_ptr(), 0xAB, n_bytes) };
        drop(first);
        let reused = Buffer::zeroed(n_bytes).unwrap();
        assert_eq!(
            reused.as_ptr(),
            address,
            "the freed mapping came back from the pool"
        );
        // SAFETY: as above.
        let bytes = unsafe { std::slice::from_raw_parts(reused.as_ptr(), n_bytes) };
        assert!(
            bytes.iter().all(|&byte| byte == 0),
            "a zeroed buffer is zero"
        );
    }

    #[test]
    fn large_buffers_are_zeroed_aligned_and_writable() {
        let n_bytes = 3 * MAP_THRESHOLD_BYTES + 5;
        let buffer = Buffer::zeroed(n_bytes).unwrap();
        assert_eq!(buffer.as_ptr() as usize % BUFFER_ALIGNMENT, 0);
        // SAFETY: the buffer holds n_bytes initialized (zero) bytes, written only here.
        let bytes = unsafe { std::slice::from_raw_parts_mut(buffer.as_mut_ptr(), n_bytes) };
        assert!(bytes.iter().all(|&byte| byte == 0));
        bytes[n_bytes - 1] = 9;
        assert_eq!(bytes[n_bytes - 1], 9);
    }

    #[test]
    fn empty_buffer() {
        let buffer = Buffer::zeroed(0).unwrap();
        assert_eq!(buffer.len_bytes(), 0);
        assert!(!buffer.as_ptr().is_null());
    }

    #[test]
    fn huge_allocation_fails_cleanly() {
        let error = Buffer::zeroed(usize::MAX - 10).unwrap_err();
        assert_eq!(error.bytes, usize::MAX - 10);
        assert_eq!(
            error.to_string(),
            format!(
                "memory exhausted: cannot allocate {} bytes",
                usize::MAX - 10
            )
        );
        // Within Layout's limits but far beyond any machine's memory.
        assert!(Buffer::zeroed(isize::MAX as usize - 1000).is_err());
    }

    #[test]
    fn external_owner_lives_as_long_as_buffer() {
        struct Owner {
            data: Vec<u8>,
            dropped: Arc<AtomicBool>,
        }
        impl Drop for Owner {
            fn drop(&mut self) {
                self.dropped.store(true, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let mut owner = Box::new(Owner {
            data: vec![7u8; 8],
            dropped: dropped.clone(),
        });
        let ptr = owner.data.as_mut_ptr();
        // SAFETY: the Vec's heap memory does not move when the Box is moved into the buffer,
        // and it lives until the owner is dropped with the buffer.
        let buffer = unsafe { Buffer::from_external(ptr, 8, owner) };
        assert!(buffer.is_external());
        // SAFETY: 8 readable bytes.
        assert_eq!(unsafe { *buffer.as_ptr().add(7) }, 7);
        assert!(!dropped.load(Ordering::SeqCst));
        drop(buffer);
        assert!(dropped.load(Ordering::SeqCst));
    }
}
