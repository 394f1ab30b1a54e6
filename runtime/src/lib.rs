//! nx runtime: dtypes, buffers, arrays and views, printing. Knows nothing of the compiler.
//!
//! The pieces, from the bottom up:
//! - `dtype`: the eleven element types, NumPy's promotion table and casting rules.
//! - `scalar`: one typed element value, the spec's `as` conversion, raw element reads/writes.
//! - `buffer`: raw bytes, owned (64-byte aligned, zeroed) or borrowed from a host.
//! - `array`: n-d arrays and views over shared buffers with copy-on-write value semantics;
//!   shapes, strides (in elements) and offsets are what compiled kernels are handed, as raw
//!   pointers (`Array::data_ptr`) and byte strides (`Array::byte_strides`).
//! - `format`: printing as the language spec's §9 says.
//! - `npy`: `.npy` files, loaded memory-mapped where possible and saved as NumPy writes them.
//! - `linalg`: matrix products (GEMM for floats), outer products and the 2-norm.
//! - `sort`: stable sorting along an axis in NumPy's order (`nan` last).
//! - `workers`: the worker threads a session lends library kernels (`--threads`).
//!
//! Invariants: **no function here panics on user input** (only on documented programmer
//! errors such as a wrong number of indices); **allocation failure is an `AllocError`,
//! never an abort**; **an array's elements always lie inside its buffer**; **a buffer is
//! written only through `Array::make_mut`, which first makes it unshared**.

pub mod array;
pub mod buffer;
pub mod dtype;
pub mod format;
pub mod linalg;
pub mod mathlib;
pub mod npy;
pub mod random;
pub mod scalar;
pub mod sort;
pub mod workers;

pub use array::{Array, Element, SliceRange, broadcast_shapes, format_type};
pub use buffer::{AllocError, Buffer};
pub use dtype::{DType, Kind};
pub use format::{format_array, format_scalar};
pub use scalar::Scalar;
pub use workers::Workers;
