//! The Cranelift backend: owns the JIT (`Jit`), turns a loop-IR `Kernel` into machine code
//! following the kernel ABI (`ir::KernelArgs`, `ir::KernelFn`), and hands out `CompiledKernel`
//! handles, the one place where a JIT function pointer is called.
//!
//! Code shape (see `function.rs`): nested loops over the domain with run-time sizes; the
//! innermost axis has a vector path (128-bit vectors, unrolled twice, see `vector.rs`) taken at
//! run time when every moving buffer is contiguous along it, then a scalar tail; otherwise a
//! scalar strided loop; math functions may run there as block routines on staged blocks
//! (`staged.rs`). Reductions (`reduce.rs`) follow the fixed order of `ReduceOp::Sum`.
//! Scalar semantics are in `scalar.rs` and match `ir::interp` bit for bit.
//!
//! Invariants: **compiled code never traps** (integer division is guarded, float→int uses the
//! saturating conversions); **a kernel that Cranelift cannot compile with vectors is compiled
//! again without them**; **compiled code lives as long as the process** (the JIT's memory is
//! never freed, so a `CompiledKernel` can never dangle).

mod call;
mod function;
mod math;
mod reduce;
mod scalar;
mod staged;
mod vector;

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use cranelift_codegen::Context;
use cranelift_codegen::ir::{AbiParam, Signature, types};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, default_libcall_names};
use nx_runtime::mathlib;

use crate::ir::print::cache_key;
use crate::ir::verify::verify;
use crate::ir::{BufView, Kernel, KernelArgs, KernelFn, KernelStatus};

pub use vector::{VectorPlan, plan};

/// Why a kernel could not be compiled (a bug in nx or a Cranelift limitation, never a user
/// error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodegenError {
    pub message: String,
}

impl CodegenError {
    fn new(message: impl Into<String>) -> CodegenError {
        CodegenError {
            message: message.into(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "code generation failed: {}", self.message)
    }
}

impl std::error::Error for CodegenError {}

/// The math-library symbols every kernel may call, declared once in the module.
pub(crate) struct Imports {
    pub(crate) functions: HashMap<String, FuncId>,
    /// Whether the block routines are declared: the host has AVX2 or AVX-512.
    pub(crate) block_routines: bool,
    /// Whether kernels call the block routines of `mathlib::blocks` (`staged.rs`): where they
    /// are declared, unless turned off (`Jit::set_block_math`).
    pub(crate) block_math: bool,
}

/// The JIT: one Cranelift module, a reused compilation context, and a cache of compiled
/// kernels keyed by their printed IR (`ir::print::cache_key`).
pub struct Jit {
    module: JITModule,
    context: Context,
    builder_context: FunctionBuilderContext,
    imports: Imports,
    cache: HashMap<String, CompiledKernel>,
    functions_defined: usize,
}

/// A compiled kernel: a function pointer following the kernel ABI. Cheap to copy, and callable
/// from many threads at once.
#[derive(Clone, Copy, Debug)]
pub struct CompiledKernel {
    function: KernelFn,
    rank: usize,
    buf_count: usize,
    vectorized: bool,
}

impl CompiledKernel {
    /// Runs the kernel over the whole domain `sizes`.
    ///
    /// # Safety
    /// See `run_chunk`.
    pub unsafe fn run(&self, sizes: &[usize], views: &[BufView]) -> KernelStatus {
        let outer_end = sizes.first().copied().unwrap_or(0);
        // SAFETY: the caller upholds `run_chunk`'s contract; 0..sizes[0] is the whole range.
        unsafe { self.run_chunk(sizes, views, 0, outer_end) }
    }

    /// Runs the kernel for outermost indices `outer_begin..outer_end` (ignored for rank 0).
    ///
    /// # Safety
    /// The caller guarantees, for the kernel this was compiled from:
    /// - `sizes.len()` is its rank, `views.len()` its number of buffers, and every view has
    ///   `rank` byte strides; `outer_begin <= outer_end <= sizes[0]`;
    /// - every view addresses valid, live memory of its buffer's dtype at every point of the
    ///   domain (restricted to the outer range), readable for inputs and writable for outputs;
    ///   a uniform input's element at the origin is readable;
    /// - an output overlaps an input only if they alias element for element (same pointer and
    ///   strides), and outputs do not overlap each other;
    /// - a reducing kernel's outputs have stride 0 along the reduced axes.
    ///
    /// Under these conditions the compiled code reads and writes only those elements and never
    /// traps (integer division is guarded, conversions saturate).
    pub unsafe fn run_chunk(
        &self,
        sizes: &[usize],
        views: &[BufView],
        outer_begin: usize,
        outer_end: usize,
    ) -> KernelStatus {
        assert_eq!(sizes.len(), self.rank, "one size per domain axis");
        assert_eq!(views.len(), self.buf_count, "one view per buffer");
        let sizes_i64: Vec<i64> = sizes.iter().map(|&size| size as i64).collect();
        let pointers: Vec<*mut u8> = views.iter().map(|view| view.ptr).collect();
        let mut strides: Vec<i64> = Vec::with_capacity(self.rank * self.buf_count);
        for view in views {
            assert_eq!(view.byte_strides.len(), self.rank, "one stride per axis");
            strides.extend(view.byte_strides.iter().map(|&stride| stride as i64));
        }
        let args = KernelArgs {
            sizes: sizes_i64.as_ptr(),
            buf_ptrs: pointers.as_ptr(),
            buf_strides: strides.as_ptr(),
            outer_begin: outer_begin as i64,
            outer_end: outer_end as i64,
        };
        // SAFETY: `function` was produced by `Jit::compile` for a kernel with this rank and
        // buffer count, and follows the `KernelFn` ABI; `args` and the arrays it points to live
        // until the call returns; the caller guarantees the memory contract above.
        let code = unsafe { (self.function)(&args) };
        KernelStatus::from_code(code)
    }

    /// Whether the innermost loop has a vector path (taken when the buffers are contiguous).
    pub fn is_vectorized(&self) -> bool {
        self.vectorized
    }
}

impl Jit {
    /// A JIT for the host machine, optimizing for speed; Cranelift's verifier runs in debug
    /// builds only.
    pub fn new() -> Result<Jit, CodegenError> {
        let mut flags = settings::builder();
        let verifier = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        for (name, value) in [
            ("opt_level", "speed"),
            ("enable_verifier", verifier),
            ("use_colocated_libcalls", "false"),
            ("is_pic", "false"),
        ] {
            flags
                .set(name, value)
                .map_err(|error| CodegenError::new(format!("setting {name}: {error}")))?;
        }
        let isa_builder = cranelift_native::builder()
            .map_err(|error| CodegenError::new(format!("host not supported: {error}")))?;
        let isa = isa_builder
            .finish(settings::Flags::new(flags))
            .map_err(|error| CodegenError::new(format!("target: {error}")))?;
        let mut jit_builder = JITBuilder::with_isa(isa, default_libcall_names());
        let symbols = mathlib::all_symbols();
        for (name, address) in &symbols {
            jit_builder.symbol(name.clone(), *address);
        }
        // Block routines only where they beat the inline 128-bit code (`staged.rs`).
        let block_symbols = if mathlib::blocks::Isa::host() > mathlib::blocks::Isa::Baseline {
            mathlib::blocks::host_symbols()
        } else {
            Vec::new()
        };
        for symbol in &block_symbols {
            jit_builder.symbol(symbol.name.clone(), symbol.address);
        }
        let mut module = JITModule::new(jit_builder);
        let mut functions = HashMap::new();
        let signatures = symbols
            .iter()
            .map(|(name, _)| (name, math_signature(&module, name)))
            .chain(
                block_symbols
                    .iter()
                    .map(|symbol| (&symbol.name, block_signature(&module, symbol.operands))),
            )
            .collect::<Vec<_>>();
        for (name, signature) in signatures {
            let id = module
                .declare_function(name, Linkage::Import, &signature)
                .map_err(|error| CodegenError::new(format!("declaring {name}: {error}")))?;
            functions.insert(name.clone(), id);
        }
        let context = module.make_context();
        Ok(Jit {
            module,
            context,
            builder_context: FunctionBuilderContext::new(),
            imports: Imports {
                functions,
                block_routines: !block_symbols.is_empty(),
                block_math: !block_symbols.is_empty(),
            },
            cache: HashMap::new(),
            functions_defined: 0,
        })
    }

    /// Whether math functions may run as block routines on the host's widest vectors (the
    /// default where the host has AVX2 or AVX-512) or only as inline 128-bit code. Both give
    /// the same bits; tests compare them, benchmarks measure the difference. Turning it on
    /// has no effect on a host without those instruction sets.
    pub fn set_block_math(&mut self, enabled: bool) {
        self.imports.block_math = enabled && self.imports.block_routines;
        // Cached kernels were compiled under the other setting.
        self.cache.clear();
    }

    /// Compiles `kernel` (verified first), or returns the cached code of an identical kernel.
    pub fn compile(&mut self, kernel: &Kernel) -> Result<CompiledKernel, CodegenError> {
        verify(kernel)
            .map_err(|message| CodegenError::new(format!("invalid kernel: {message}")))?;
        let key = cache_key(kernel);
        if let Some(compiled) = self.cache.get(&key) {
            return Ok(*compiled);
        }
        let plan = vector::plan(kernel);
        let compiled = match self.compile_with_plan(kernel, plan) {
            Ok(compiled) => compiled,
            // Cranelift lowers some vector operations on some machines only: fall back to
            // scalar loops rather than fail.
            Err(_) if plan.is_some() => self.compile_with_plan(kernel, None)?,
            Err(error) => return Err(error),
        };
        self.cache.insert(key, compiled);
        Ok(compiled)
    }

    /// Like `compile`, never using vectors (for tests and comparisons).
    pub fn compile_scalar(&mut self, kernel: &Kernel) -> Result<CompiledKernel, CodegenError> {
        verify(kernel)
            .map_err(|message| CodegenError::new(format!("invalid kernel: {message}")))?;
        self.compile_with_plan(kernel, None)
    }

    /// The Cranelift IR of `kernel` before optimization, for `nx ir --clif`.
    pub fn clif_text(&mut self, kernel: &Kernel) -> Result<String, CodegenError> {
        verify(kernel)
            .map_err(|message| CodegenError::new(format!("invalid kernel: {message}")))?;
        let plan = vector::plan(kernel);
        self.build(kernel, plan)?;
        let text = self.context.func.display().to_string();
        self.module.clear_context(&mut self.context);
        Ok(text)
    }

    /// Builds the Cranelift function for `kernel` into `self.context.func`.
    fn build(&mut self, kernel: &Kernel, plan: Option<VectorPlan>) -> Result<(), CodegenError> {
        self.module.clear_context(&mut self.context);
        self.context.func.signature = kernel_signature(&self.module);
        let frontend_config = self.module.target_config();
        let Jit {
            module,
            context,
            builder_context,
            imports,
            ..
        } = self;
        let built = catch_unwind(AssertUnwindSafe(|| {
            function::build_function(
                &mut context.func,
                builder_context,
                frontend_config,
                module,
                imports,
                kernel,
                plan,
            )
        }));
        if let Err(panic) = built {
            // A panic may leave the builder context half used: start from fresh ones.
            self.builder_context = FunctionBuilderContext::new();
            self.module.clear_context(&mut self.context);
            return Err(CodegenError::new(format!(
                "building {}: {}",
                kernel.name,
                panic_message(&panic)
            )));
        }
        Ok(())
    }

    fn compile_with_plan(
        &mut self,
        kernel: &Kernel,
        plan: Option<VectorPlan>,
    ) -> Result<CompiledKernel, CodegenError> {
        self.build(kernel, plan)?;
        self.functions_defined += 1;
        let name = format!("nx_kernel_{}", self.functions_defined);
        let signature = self.context.func.signature.clone();
        let id = self
            .module
            .declare_function(&name, Linkage::Local, &signature)
            .map_err(|error| CodegenError::new(format!("declaring {name}: {error}")))?;
        let Jit {
            module, context, ..
        } = self;
        #[allow(clippy::result_large_err)]
        let defined = catch_unwind(AssertUnwindSafe(|| module.define_function(id, context)));
        let result = match defined {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(CodegenError::new(format!(
                "compiling {}: {error:?}",
                kernel.name
            ))),
            Err(panic) => Err(CodegenError::new(format!(
                "compiling {}: Cranelift panicked: {}",
                kernel.name,
                panic_message(&panic)
            ))),
        };
        self.module.clear_context(&mut self.context);
        result?;
        self.module
            .finalize_definitions()
            .map_err(|error| CodegenError::new(format!("finalizing: {error}")))?;
        let address = self.module.get_finalized_function(id);
        // SAFETY: the function was just defined with `kernel_signature`, which is the
        // SystemV `extern "C" fn(*const KernelArgs) -> i32` that `KernelFn` names.
        let function = unsafe { std::mem::transmute::<*const u8, KernelFn>(address) };
        Ok(CompiledKernel {
            function,
            rank: kernel.rank,
            buf_count: kernel.bufs.len(),
            vectorized: plan.is_some(),
        })
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// `extern "C" fn(args: *const KernelArgs) -> i32`.
fn kernel_signature(module: &JITModule) -> Signature {
    let mut signature = module.make_signature();
    let pointer = module.target_config().pointer_type();
    signature.params.push(AbiParam::new(pointer));
    signature.returns.push(AbiParam::new(types::I32));
    signature
}

/// A block routine of `operands` operands (`mathlib::blocks`): `extern "C" fn(data: *mut T,
/// len: usize)`, or `fn(x: *mut T, y: *const T, len: usize)` for two.
fn block_signature(module: &JITModule, operands: usize) -> Signature {
    let mut signature = module.make_signature();
    let pointer = module.target_config().pointer_type();
    for _ in 0..operands {
        signature.params.push(AbiParam::new(pointer));
    }
    signature.params.push(AbiParam::new(types::I64));
    signature
}

/// The signature of a math-library symbol: `nx_ipow(u64, u64) -> u64`, otherwise one or two
/// floats of the suffix's type to one.
fn math_signature(module: &JITModule, name: &str) -> Signature {
    let mut signature = module.make_signature();
    let (float, arity) = if name == "nx_ipow" {
        (types::I64, 2)
    } else {
        let float = if name.ends_with("_f64") {
            types::F64
        } else {
            types::F32
        };
        let stem = name
            .trim_start_matches("nx_")
            .trim_end_matches("_f64")
            .trim_end_matches("_f32");
        let binary = mathlib::binary_f64(stem).is_some();
        (float, if binary { 2 } else { 1 })
    };
    for _ in 0..arity {
        signature.params.push(AbiParam::new(float));
    }
    signature.returns.push(AbiParam::new(float));
    signature
}
