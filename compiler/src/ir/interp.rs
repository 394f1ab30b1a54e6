//! Placeholder: written by the codegen branch.
