//! nx compiler.
pub mod diagnostics;
pub mod syntax;
