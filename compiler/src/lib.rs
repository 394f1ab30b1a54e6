//! nx compiler.
pub mod codegen;
pub mod diagnostics;
pub mod ir;
pub mod syntax;
pub mod types;
