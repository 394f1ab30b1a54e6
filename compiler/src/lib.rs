//! The nx compiler: source text to native kernels, and the executor that runs them.
//!
//! The pipeline, one module per stage:
//! 1. `syntax`: source → tokens (logos, with the layout pass for newlines) → AST (lalrpop).
//! 2. `types`: AST → typed program (`types::hir`): names resolved, every expression typed,
//!    promotions explicit, generic functions instantiated.
//! 3. `lower`: typed expressions → loop IR kernels (`ir`): one fused loop nest per maximal
//!    elementwise tree, reductions with their producers fused in.
//! 4. `codegen`: loop IR → Cranelift → native code, cached by the kernel's printed IR.
//! 5. `exec`: runs the typed program statement by statement and launches the kernels.
//!
//! The loop IR is the centre: a kernel is a loop nest over a domain whose sizes are run-time
//! parameters, reading and writing buffers through byte strides, with a dataflow body per point
//! and store or reduce effects. `ir/mod.rs` documents its exact semantics; `ir::interp` is the
//! reference interpreter every JIT result is tested against.
pub mod codegen;
pub mod diagnostics;
pub mod exec;
pub mod ir;
pub mod lower;
pub mod syntax;
pub mod types;
