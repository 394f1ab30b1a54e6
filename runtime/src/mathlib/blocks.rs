//! Block routines: each of nx's own math functions (`kernels::Function`) applied in place to a
//! block of contiguous elements, compiled once per instruction set (AVX-512, AVX2, baseline
//! x86-64) from the same scalar instantiation of the algorithm (`ScalarF64`/`ScalarF32`), which
//! LLVM vectorizes to the widest vectors of each. JIT kernels call the host's best routine on
//! L1-sized blocks (`codegen/staged.rs`), because Cranelift emits 128-bit vectors only: with
//! AVX-512, `exp` on f64 runs about 3x faster than the inline 128-bit code (docs/decisions.md).
//!
//! Every routine gives the bits of the scalar `nx_<name>_<dtype>`: the algorithms use only
//! lane-wise IEEE operations, selects and integer bit manipulation, which vectorize exactly,
//! and Rust never contracts `a*b + c` into a fused multiply-add.
//! `runtime/tests/accuracy/blocks.rs` checks every routine the host can run against the scalar
//! functions.

use super::kernels::{BinaryFunction, F32, F64, FloatOps, Format, Function, ScalarF32, ScalarF64};

/// A block routine on f64: replaces each of `len` elements at `data` by the function's value.
pub type BlockF64 = unsafe extern "C" fn(data: *mut f64, len: usize);
/// A block routine on f32.
pub type BlockF32 = unsafe extern "C" fn(data: *mut f32, len: usize);
/// A two-operand block routine on f64: `x[i] = f(x[i], y[i])` for each of `len` elements.
pub type BinaryBlockF64 = unsafe extern "C" fn(x: *mut f64, y: *const f64, len: usize);
/// A two-operand block routine on f32.
pub type BinaryBlockF32 = unsafe extern "C" fn(x: *mut f32, y: *const f32, len: usize);

/// The instruction sets the routines are compiled for, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// What every x86-64 (or other) host runs: 128-bit SSE2 on x86-64.
    Baseline,
    Avx2,
    Avx512,
}

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// Whether this machine can run code for `self`.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest instruction set this machine runs.
    pub fn host() -> Isa {
        Isa::ALL
            .into_iter()
            .rev()
            .find(|isa| isa.is_supported())
            .unwrap_or(Isa::Baseline)
    }
}

/// `Function::ALL[F]` on each element, with the function's scalar code inlined into the loop.
/// A function with a cheap domain (`Function::cheap_domain_bound`) runs the loop with the
/// format that computes only its cheap path when every element of the block lies inside: that
/// loop has no branch and vectorizes (the general one branches per element to its costly path).
#[inline(always)]
fn map_f64<const F: usize>(data: &mut [f64]) {
    const CHEAP: Format = F64.in_cheap_domain();
    let function = Function::ALL[F];
    let cheap = function
        .cheap_domain_bound(&F64)
        .is_some_and(|bound| all_within(data, f64::to_bits, bound));
    if cheap {
        map(ScalarF64, function, &CHEAP, data);
    } else {
        map(ScalarF64, function, &F64, data);
    }
}

#[inline(always)]
fn map_f32<const F: usize>(data: &mut [f32]) {
    const CHEAP: Format = F32.in_cheap_domain();
    let function = Function::ALL[F];
    let cheap = function
        .cheap_domain_bound(&F32)
        .is_some_and(|bound| all_within(data, |x: f32| x.to_bits().into(), bound as f32));
    if cheap {
        map(ScalarF32, function, &CHEAP, data);
    } else {
        map(ScalarF32, function, &F32, data);
    }
}

#[inline(always)]
fn map<O: FloatOps>(mut ops: O, function: Function, format: &Format, data: &mut [O::Float]) {
    for x in data {
        *x = function.apply(&mut ops, format, *x);
    }
}

/// `BinaryFunction::ALL[F]` on each pair, `x` replaced by the result.
#[inline(always)]
fn map2_f64<const F: usize>(x: &mut [f64], y: &[f64]) {
    let function = BinaryFunction::ALL[F];
    for (x, y) in x.iter_mut().zip(y) {
        *x = function.apply(&mut ScalarF64, &F64, *x, *y);
    }
}

#[inline(always)]
fn map2_f32<const F: usize>(x: &mut [f32], y: &[f32]) {
    let function = BinaryFunction::ALL[F];
    for (x, y) in x.iter_mut().zip(y) {
        *x = function.apply(&mut ScalarF32, &F32, *x, *y);
    }
}

/// Whether `|x| <= bound` for every `x` of `data` (false with nan), from the bits (`bits`
/// widened): shifted up to the top they drop the sign, keep the order of magnitudes and put nan
/// above every bound. A maximum rather than an early exit, so that it vectorizes.
#[inline(always)]
fn all_within<T: Copy>(data: &[T], bits: impl Fn(T) -> u64, bound: T) -> bool {
    let magnitude = |x| bits(x) << (65 - 8 * std::mem::size_of::<T>());
    let largest = data.iter().fold(0, |largest, &x| largest.max(magnitude(x)));
    largest <= magnitude(bound)
}

/// Defines the `extern "C"` entry points `$f64_name::<F>` and `$f32_name::<F>` (over `map_f64`
/// and `map_f32`), compiled with `$features` on x86-64 (none for the baseline).
macro_rules! entry_points {
    ($f64_name:ident, $f32_name:ident $(, $features:literal)?) => {
        entry_points!(@one $f64_name, f64, map_f64 $(, $features)?);
        entry_points!(@one $f32_name, f32, map_f32 $(, $features)?);
    };
    (@one $name:ident, $float:ty, $map:ident $(, $features:literal)?) => {
        /// # Safety
        /// `data` points to `len` initialized elements that nothing else accesses during the
        /// call, and the host supports the instruction set the routine was compiled for.
        $(#[cfg_attr(target_arch = "x86_64", target_feature(enable = $features))])?
        unsafe extern "C" fn $name<const F: usize>(data: *mut $float, len: usize) {
            // SAFETY: the caller's contract above.
            $map::<F>(unsafe { std::slice::from_raw_parts_mut(data, len) })
        }
    };
}

/// The two-operand counterpart of `entry_points!`, over `map2_f64` and `map2_f32`.
macro_rules! binary_entry_points {
    ($f64_name:ident, $f32_name:ident $(, $features:literal)?) => {
        binary_entry_points!(@one $f64_name, f64, map2_f64 $(, $features)?);
        binary_entry_points!(@one $f32_name, f32, map2_f32 $(, $features)?);
    };
    (@one $name:ident, $float:ty, $map:ident $(, $features:literal)?) => {
        /// # Safety
        /// `x` points to `len` initialized elements that nothing else accesses during the call,
        /// `y` to `len` initialized elements that do not overlap them, and the host supports
        /// the instruction set the routine was compiled for.
        $(#[cfg_attr(target_arch = "x86_64", target_feature(enable = $features))])?
        unsafe extern "C" fn $name<const F: usize>(x: *mut $float, y: *const $float, len: usize) {
            // SAFETY: the caller's contract above.
            let (x, y) = unsafe {
                (std::slice::from_raw_parts_mut(x, len), std::slice::from_raw_parts(y, len))
            };
            $map::<F>(x, y)
        }
    };
}

/// Both kinds of entry points for one instruction set.
macro_rules! all_entry_points {
    ($f64:ident, $f32:ident, $binary_f64:ident, $binary_f32:ident $(, $features:literal)?) => {
        entry_points!($f64, $f32 $(, $features)?);
        binary_entry_points!($binary_f64, $binary_f32 $(, $features)?);
    };
}

all_entry_points!(baseline_f64, baseline_f32, baseline2_f64, baseline2_f32);
all_entry_points!(
    avx2_f64,
    avx2_f32,
    avx2_2_f64,
    avx2_2_f32,
    "avx2,bmi1,bmi2,lzcnt,popcnt"
);
all_entry_points!(
    avx512_f64,
    avx512_f32,
    avx512_2_f64,
    avx512_2_f32,
    "avx512f,avx512dq,avx512vl,avx512bw,avx2,bmi1,bmi2,lzcnt,popcnt"
);

/// One function's routines, by `Isa` (in `Isa::ALL` order). Off x86-64 the AVX entries are
/// baseline code that `Isa::is_supported` never lets be chosen.
struct Routines {
    f64: [BlockF64; 3],
    f32: [BlockF32; 3],
}

/// `Routines` for `Function::ALL[index]`, for each listed index.
macro_rules! routine_table {
    ($($index:literal)*) => {
        [$(Routines {
            f64: [baseline_f64::<$index>, avx2_f64::<$index>, avx512_f64::<$index>],
            f32: [baseline_f32::<$index>, avx2_f32::<$index>, avx512_f32::<$index>],
        }),*]
    };
}

/// One two-operand function's routines, by `Isa`.
struct BinaryRoutines {
    f64: [BinaryBlockF64; 3],
    f32: [BinaryBlockF32; 3],
}

/// `BinaryRoutines` for `BinaryFunction::ALL[index]`, for each listed index.
macro_rules! binary_routine_table {
    ($($index:literal)*) => {
        [$(BinaryRoutines {
            f64: [baseline2_f64::<$index>, avx2_2_f64::<$index>, avx512_2_f64::<$index>],
            f32: [baseline2_f32::<$index>, avx2_2_f32::<$index>, avx512_2_f32::<$index>],
        }),*]
    };
}

static BINARY_ROUTINES: [BinaryRoutines; BinaryFunction::ALL.len()] = binary_routine_table!(0 1 2);

/// The table's length is `Function::ALL`'s: a function missing here fails to compile.
static ROUTINES: [Routines; Function::ALL.len()] =
    routine_table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// The routine of `function` on f64 for `isa`.
///
/// # Panics
/// If the host does not support `isa` (calling the routine would be undefined behaviour).
pub fn block_f64(function: Function, isa: Isa) -> BlockF64 {
    assert!(
        isa.is_supported(),
        "{isa:?} is not supported by this machine"
    );
    ROUTINES[function.index()].f64[isa as usize]
}

/// The routine of `function` on f32 for `isa`.
///
/// # Panics
/// If the host does not support `isa`.
pub fn block_f32(function: Function, isa: Isa) -> BlockF32 {
    assert!(
        isa.is_supported(),
        "{isa:?} is not supported by this machine"
    );
    ROUTINES[function.index()].f32[isa as usize]
}

/// The routine of the two-operand `function` on f64 for `isa`.
///
/// # Panics
/// If the host does not support `isa`.
pub fn binary_block_f64(function: BinaryFunction, isa: Isa) -> BinaryBlockF64 {
    assert!(
        isa.is_supported(),
        "{isa:?} is not supported by this machine"
    );
    BINARY_ROUTINES[function.index()].f64[isa as usize]
}

/// The routine of the two-operand `function` on f32 for `isa`.
///
/// # Panics
/// If the host does not support `isa`.
pub fn binary_block_f32(function: BinaryFunction, isa: Isa) -> BinaryBlockF32 {
    assert!(
        isa.is_supported(),
        "{isa:?} is not supported by this machine"
    );
    BINARY_ROUTINES[function.index()].f32[isa as usize]
}

/// `x[i] = function(x[i], y[i])` with the routine for `isa`.
///
/// # Panics
/// If the slices differ in length.
pub fn apply2_f64(function: BinaryFunction, isa: Isa, x: &mut [f64], y: &[f64]) {
    assert_eq!(x.len(), y.len(), "one y per x");
    let routine = binary_block_f64(function, isa);
    // SAFETY: `x` is exclusively borrowed and `y` borrowed, so they do not overlap; both hold
    // `len` elements; the host supports `isa`.
    unsafe { routine(x.as_mut_ptr(), y.as_ptr(), x.len()) }
}

/// `x[i] = function(x[i], y[i])` with the routine for `isa`.
///
/// # Panics
/// If the slices differ in length.
pub fn apply2_f32(function: BinaryFunction, isa: Isa, x: &mut [f32], y: &[f32]) {
    assert_eq!(x.len(), y.len(), "one y per x");
    let routine = binary_block_f32(function, isa);
    // SAFETY: as in `apply2_f64`.
    unsafe { routine(x.as_mut_ptr(), y.as_ptr(), x.len()) }
}

/// Applies `function` to every element of `data` with the routine for `isa`.
pub fn apply_f64(function: Function, isa: Isa, data: &mut [f64]) {
    let routine = block_f64(function, isa);
    // SAFETY: `data` is a live, exclusively borrowed slice of `len` elements; `block_f64`
    // checked that the host supports `isa`.
    unsafe { routine(data.as_mut_ptr(), data.len()) }
}

/// Applies `function` to every element of `data` with the routine for `isa`.
pub fn apply_f32(function: Function, isa: Isa, data: &mut [f32]) {
    let routine = block_f32(function, isa);
    // SAFETY: as in `apply_f64`.
    unsafe { routine(data.as_mut_ptr(), data.len()) }
}

/// A block routine symbol JIT kernels call: its name (`nx_block_exp_f64`), its address for the
/// host's widest instruction set, and its operand count: one, `extern "C" fn(*mut T, usize)`,
/// or two, `extern "C" fn(*mut T, *const T, usize)`.
pub struct HostSymbol {
    pub name: String,
    pub address: *const u8,
    pub operands: usize,
}

/// Every block routine symbol, one- and two-operand, for the host.
pub fn host_symbols() -> Vec<HostSymbol> {
    let isa = Isa::host();
    let symbol = |name: &str, is_f64: bool, address: *const u8, operands: usize| HostSymbol {
        name: symbol_name(name, is_f64),
        address,
        operands,
    };
    let mut symbols = Vec::new();
    for function in Function::ALL {
        let name = function.name();
        symbols.push(symbol(name, true, block_f64(function, isa) as *const u8, 1));
        symbols.push(symbol(
            name,
            false,
            block_f32(function, isa) as *const u8,
            1,
        ));
    }
    for function in BinaryFunction::ALL {
        let name = function.name();
        let f64_routine = binary_block_f64(function, isa) as *const u8;
        symbols.push(symbol(name, true, f64_routine, 2));
        let f32_routine = binary_block_f32(function, isa) as *const u8;
        symbols.push(symbol(name, false, f32_routine, 2));
    }
    symbols
}

/// The symbol of `function`'s block routine on f64 (`is_f64`) or f32: `nx_block_exp_f64`.
pub fn symbol_name(function: &str, is_f64: bool) -> String {
    format!(
        "nx_block_{}",
        super::symbol_name(function, is_f64).trim_start_matches("nx_")
    )
}
