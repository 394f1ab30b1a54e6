//! nx compiler.
pub mod diagnostics;
pub mod ir;
pub mod syntax;
pub mod types;
