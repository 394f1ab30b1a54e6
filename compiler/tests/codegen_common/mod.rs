//! Shared harness of the codegen tests: buffers with chosen layouts, running a kernel through
//! the reference interpreter and the JIT on identical inputs, and comparing bit for bit.
#![allow(dead_code)]

use cranelift_entity::EntityRef;
use nx_compiler::codegen::{CompiledKernel, Jit};
use nx_compiler::ir::interp::interpret;
use nx_compiler::ir::{
    BinaryOp, BufRole, BufView, Effect, Kernel, KernelStatus, ReduceOp, UnaryOp,
};
use nx_runtime::{DType, Scalar};

/// Every unary operation, for tests that try each one.
pub const ALL_UNARY_OPS: [UnaryOp; 12] = [
    UnaryOp::Neg,
    UnaryOp::Not,
    UnaryOp::Abs,
    UnaryOp::Sign,
    UnaryOp::Sqrt,
    UnaryOp::Floor,
    UnaryOp::Ceil,
    UnaryOp::Trunc,
    UnaryOp::Round,
    UnaryOp::IsNan,
    UnaryOp::IsInf,
    UnaryOp::IsFinite,
];

/// Every binary operation, for tests that try each one.
pub const ALL_BINARY_OPS: [BinaryOp; 21] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::FloorDiv,
    BinaryOp::Mod,
    BinaryOp::Pow,
    BinaryOp::Min,
    BinaryOp::Max,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::Shl,
    BinaryOp::Shr,
    BinaryOp::Copysign,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
];

/// Every reduction, for tests that try each one.
pub const ALL_REDUCE_OPS: [ReduceOp; 8] = [
    ReduceOp::Sum,
    ReduceOp::Prod,
    ReduceOp::Min,
    ReduceOp::Max,
    ReduceOp::Any,
    ReduceOp::All,
    ReduceOp::ArgMin,
    ReduceOp::ArgMax,
];

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// Values that exercise edge cases half of the time, random bits otherwise.
pub fn random_scalar(rng: &mut Rng, dtype: DType) -> Scalar {
    let bits = rng.next_u64();
    let special = rng.below(2) == 0;
    match dtype {
        DType::F64 => {
            let pool = [
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                -2.5,
                3.5,
                1e300,
                -1e-310,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                9.3e18,
                -9.3e18,
                300.7,
                -129.5,
                4.3e9,
            ];
            if special {
                Scalar::F64(pool[rng.below(pool.len())])
            } else if rng.below(2) == 0 {
                Scalar::F64((bits as i64 as f64) / 1e15)
            } else {
                Scalar::F64(f64::from_bits(bits))
            }
        }
        DType::F32 => match random_scalar(rng, DType::F64) {
            Scalar::F64(value) if rng.below(4) == 0 => {
                Scalar::F32(f32::from_bits(value.to_bits() as u32))
            }
            Scalar::F64(value) => Scalar::F32(value as f32),
            other => other,
        },
        DType::Bool => Scalar::Bool(bits & 1 == 1),
        _ => {
            let pool: [i128; 8] = [
                0,
                1,
                -1,
                2,
                dtype.min_int(),
                dtype.max_int(),
                dtype.min_int() + 1,
                (dtype.bits() as i128) - 1,
            ];
            if special {
                Scalar::from_i128_wrapping(dtype, pool[rng.below(pool.len())])
            } else if rng.below(2) == 0 {
                Scalar::from_i128_wrapping(dtype, (bits % 20) as i128 - 10)
            } else {
                Scalar::from_i128_wrapping(dtype, bits as i128)
            }
        }
    }
}

/// How a buffer lies in memory over the domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    /// Row-major, dense.
    Contiguous,
    /// Row-major with every innermost step `n` elements apart.
    Strided(usize),
    /// Stride 0 on every axis (a broadcast scalar, not declared uniform).
    Broadcast,
    /// Row-major but stride 0 along the innermost axis (a `[n, 1]` row value broadcast
    /// against `[n, m]`).
    InnerBroadcast,
    /// Dense but the innermost axis runs backwards.
    Reversed,
    /// Column-major (axes reversed).
    Transposed,
}

/// One buffer's storage and its view.
#[derive(Clone)]
pub struct TestBuffer {
    pub dtype: DType,
    pub storage: Vec<u64>,
    /// Byte offset of the origin element within `storage`.
    pub origin: usize,
    pub byte_strides: Vec<isize>,
}

impl TestBuffer {
    /// A buffer over `shape` (zero strides along `zero_axes`).
    pub fn new(dtype: DType, shape: &[usize], layout: Layout, zero_axes: &[bool]) -> TestBuffer {
        let rank = shape.len();
        let mut element_strides = vec![0isize; rank];
        let mut running: isize = match layout {
            Layout::Strided(step) => step as isize,
            _ => 1,
        };
        let order: Vec<usize> = if layout == Layout::Transposed {
            (0..rank).collect()
        } else {
            (0..rank).rev().collect()
        };
        for axis in order {
            if zero_axes[axis]
                || layout == Layout::Broadcast
                || (layout == Layout::InnerBroadcast && axis + 1 == rank)
            {
                continue;
            }
            element_strides[axis] = running;
            running *= shape[axis].max(1) as isize;
        }
        if layout == Layout::Reversed && rank > 0 && !zero_axes[rank - 1] {
            element_strides[rank - 1] = -element_strides[rank - 1];
        }
        let mut low: isize = 0;
        let mut high: isize = 0;
        for axis in 0..rank {
            let extent = (shape[axis].max(1) as isize - 1) * element_strides[axis];
            if extent < 0 {
                low += extent;
            } else {
                high += extent;
            }
        }
        let elements = (high - low + 1) as usize;
        let bytes = elements * dtype.size() + 16;
        TestBuffer {
            dtype,
            storage: vec![0u64; bytes.div_ceil(8)],
            origin: (-low) as usize * dtype.size(),
            byte_strides: element_strides
                .iter()
                .map(|stride| stride * dtype.size() as isize)
                .collect(),
        }
    }

    pub fn fill_random(&mut self, rng: &mut Rng) {
        // Random bytes everywhere, then valid elements (bools are 0/1) at every element slot.
        let element_count = self.storage.len() * 8 / self.dtype.size();
        for index in 0..element_count {
            let value = random_scalar(rng, self.dtype);
            // SAFETY: index * size + size <= storage bytes.
            unsafe {
                value.write(
                    self.storage
                        .as_mut_ptr()
                        .cast::<u8>()
                        .add(index * self.dtype.size()),
                )
            };
        }
    }

    pub fn view(&mut self) -> BufView {
        BufView {
            // The origin lies inside the storage by construction.
            ptr: self
                .storage
                .as_mut_ptr()
                .cast::<u8>()
                .wrapping_add(self.origin),
            byte_strides: self.byte_strides.clone(),
        }
    }

    pub fn read(&self, point: &[usize]) -> Scalar {
        let mut offset = self.origin as isize;
        for (index, stride) in point.iter().zip(&self.byte_strides) {
            offset += *index as isize * stride;
        }
        // SAFETY: every point of the domain lies inside the storage by construction.
        unsafe {
            Scalar::read(
                self.dtype,
                self.storage.as_ptr().cast::<u8>().offset(offset),
            )
        }
    }
}

/// Bit equality, with every nan equal to every nan.
pub fn same_value(a: Scalar, b: Scalar) -> bool {
    let is_nan = |value: Scalar| match value {
        Scalar::F64(x) => x.is_nan(),
        Scalar::F32(x) => x.is_nan(),
        _ => false,
    };
    (is_nan(a) && is_nan(b) && a.dtype() == b.dtype()) || a.bits_eq(b)
}

pub fn for_each_point(shape: &[usize], mut visit: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut point = vec![0usize; shape.len()];
    loop {
        visit(&point);
        let mut axis = shape.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            point[axis] += 1;
            if point[axis] < shape[axis] {
                break;
            }
            point[axis] = 0;
        }
    }
}

/// Buffers for `kernel` over `sizes`: inputs with the given layouts (uniform ones broadcast),
/// outputs contiguous or with `output_layout`, zero strides along reduced axes.
pub fn make_buffers(
    kernel: &Kernel,
    sizes: &[usize],
    input_layouts: &[Layout],
    output_layout: Layout,
    rng: &mut Rng,
) -> Vec<TestBuffer> {
    let kept = kernel.rank - kernel.reduce_axes;
    let mut buffers = Vec::new();
    let mut input_index = 0;
    for (_, decl) in kernel.bufs.iter() {
        let buffer = match decl.role {
            BufRole::Input => {
                let layout = if decl.uniform {
                    Layout::Broadcast
                } else {
                    input_layouts[input_index % input_layouts.len()]
                };
                input_index += 1;
                let mut buffer =
                    TestBuffer::new(decl.dtype, sizes, layout, &vec![false; sizes.len()]);
                buffer.fill_random(rng);
                buffer
            }
            BufRole::Output => {
                let zero_axes: Vec<bool> = (0..sizes.len()).map(|axis| axis >= kept).collect();
                let mut buffer = TestBuffer::new(decl.dtype, sizes, output_layout, &zero_axes);
                buffer.fill_random(rng);
                buffer
            }
        };
        buffers.push(buffer);
    }
    buffers
}

/// Runs `kernel` through the interpreter and `compiled` on copies of the same inputs and
/// checks that the statuses agree and, when Ok, every output element is identical.
pub fn check_against_interpreter(
    kernel: &Kernel,
    compiled: &CompiledKernel,
    sizes: &[usize],
    input_layouts: &[Layout],
    output_layout: Layout,
    rng: &mut Rng,
) -> KernelStatus {
    let mut expected = make_buffers(kernel, sizes, input_layouts, output_layout, rng);
    let mut actual = expected.clone();
    let expected_views: Vec<BufView> = expected.iter_mut().map(|buffer| buffer.view()).collect();
    let actual_views: Vec<BufView> = actual.iter_mut().map(|buffer| buffer.view()).collect();
    // SAFETY: the buffers cover every point of the domain by construction and outputs are
    // separate allocations.
    let expected_status = unsafe { interpret(kernel, sizes, &expected_views) };
    // SAFETY: as above.
    let actual_status = unsafe { compiled.run(sizes, &actual_views) };
    assert_eq!(
        actual_status, expected_status,
        "status of\n{kernel}with sizes {sizes:?} layouts {input_layouts:?}"
    );
    if expected_status != KernelStatus::Ok {
        return expected_status;
    }
    let kept = kernel.rank - kernel.reduce_axes;
    let mut output_shape = sizes.to_vec();
    for size in output_shape.iter_mut().skip(kept) {
        *size = 1;
    }
    if sizes[..kept].contains(&0) {
        return expected_status;
    }
    for effect in &kernel.effects {
        let buf = match effect {
            Effect::Store { buf, .. } | Effect::Reduce { buf, .. } => *buf,
        };
        let domain: Vec<usize> = if kernel.reduce_axes == 0 {
            sizes.to_vec()
        } else {
            output_shape.clone()
        };
        for_each_point(&domain, |point| {
            let want = expected[buf.index()].read(point);
            let got = actual[buf.index()].read(point);
            assert!(
                same_value(want, got),
                "{buf} at {point:?}: interpreter {want:?}, JIT {got:?}\n{kernel}sizes {sizes:?} layouts {input_layouts:?} vectorized {}",
                compiled.is_vectorized()
            );
        });
    }
    expected_status
}

/// Compiles `kernel` and checks it over a range of shapes and layouts.
pub fn check_kernel_thoroughly(jit: &mut Jit, kernel: &Kernel, rng: &mut Rng) {
    let compiled = jit
        .compile(kernel)
        .unwrap_or_else(|error| panic!("{error}\n{kernel}"));
    let lengths: &[usize] = &[0, 1, 2, 3, 7, 8, 9, 33, 1000];
    for shape in shapes_for_rank(kernel.rank, lengths) {
        check_against_interpreter(
            kernel,
            &compiled,
            &shape,
            &[Layout::Contiguous],
            Layout::Contiguous,
            rng,
        );
    }
    if kernel.rank > 0 {
        let shape = vec![3; kernel.rank - 1]
            .into_iter()
            .chain([37])
            .collect::<Vec<_>>();
        for layout in [
            Layout::Strided(2),
            Layout::Reversed,
            Layout::Broadcast,
            Layout::Transposed,
        ] {
            check_against_interpreter(
                kernel,
                &compiled,
                &shape,
                &[layout, Layout::Contiguous],
                Layout::Contiguous,
                rng,
            );
        }
        check_against_interpreter(
            kernel,
            &compiled,
            &shape,
            &[Layout::Contiguous],
            Layout::Strided(3),
            rng,
        );
    }
}

/// A few domain shapes of `rank` using `lengths` for the innermost axis.
pub fn shapes_for_rank(rank: usize, lengths: &[usize]) -> Vec<Vec<usize>> {
    match rank {
        0 => vec![vec![]],
        1 => lengths.iter().map(|&length| vec![length]).collect(),
        _ => lengths
            .iter()
            .map(|&length| {
                let mut shape = vec![2; rank - 1];
                shape.push(length);
                shape
            })
            .collect(),
    }
}
