//! nx compiler.
