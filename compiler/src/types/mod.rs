//! AST to typed program: name resolution, dtypes and ranks, NumPy/NEP 50 promotion, static
//! broadcasting checks, function instantiation (spec §2–§8, §10).
pub mod hir;
