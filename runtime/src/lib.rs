//! nx runtime: dtypes, buffers, arrays and views, printing. Knows nothing of the compiler.
pub mod dtype;
pub use dtype::DType;
