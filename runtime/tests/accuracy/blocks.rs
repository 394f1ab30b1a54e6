//! Every block routine the host can run (`mathlib::blocks`: AVX-512, AVX2, baseline) gives the
//! bits of the scalar function (`nx_<name>_<dtype>`, what the interpreter calls), nan payloads
//! included, on random bit patterns, each function's interesting range and the special values,
//! at block lengths that exercise the vector loops' remainders.

use nx_runtime::mathlib::blocks::{Isa, apply_f32, apply_f64, apply2_f32, apply2_f64};
use nx_runtime::mathlib::kernels::{BinaryFunction, F32, F64, Function};
use nx_runtime::mathlib::{binary_f32, binary_f64, unary_f32, unary_f64};

use super::Random;

/// Special values, then random bit patterns and uniform points in [-800, 800] and [-2, 2].
fn inputs(count: usize) -> Vec<f64> {
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        f64::MIN,
        709.782712893384,
        -745.1332191019412,
        88.72283172607422,
        -103.97207641601562,
    ];
    let mut rng = Random(0x5eed);
    while values.len() < count {
        let bits = rng.next();
        let unit = (bits >> 11) as f64 / (1u64 << 53) as f64;
        values.push(match bits % 3 {
            0 => f64::from_bits(bits),
            1 => -800.0 + 1600.0 * unit,
            _ => -2.0 + 4.0 * unit,
        });
    }
    values
}

/// Lengths around the vector widths and the unrolled loops' steps.
const LENGTHS: [usize; 6] = [0, 1, 7, 16, 33, 10_007];

#[test]
fn every_routine_gives_the_scalar_bits() {
    let values = inputs(10_007);
    for function in Function::ALL {
        check_routines(function, &values);
    }
}

/// Blocks whose arguments all lie within a function's cheap domain
/// (`Function::cheap_domain_bound`, each format's) run the routines' other loop: all inside,
/// the bound itself included, and then with one argument beyond (just, huge, inf or nan).
#[test]
fn cheap_domain_blocks_give_the_scalar_bits() {
    let mut rng = Random(0xc4ea9);
    for function in Function::ALL {
        for (format, is_f64) in [(&F64, true), (&F32, false)] {
            let Some(bound) = function.cheap_domain_bound(format) else {
                continue;
            };
            let mut values = vec![bound, -bound, 0.0];
            while values.len() < 10_007 {
                let unit = rng.unit();
                values.push(bound * (2.0 * unit - 1.0));
            }
            check_routines(function, &values);
            let just_beyond = if is_f64 {
                f64::from_bits(bound.to_bits() + 1)
            } else {
                f64::from(f32::from_bits((bound as f32).to_bits() + 1))
            };
            for beyond in [just_beyond, -1e300, f64::INFINITY, f64::NAN] {
                values[3] = beyond;
                check_routines(function, &values);
            }
        }
    }
}

/// Every routine the host runs gives the scalar bits on each of `LENGTHS` first elements of
/// `values`, in f64 and (rounded) in f32.
fn check_routines(function: Function, values: &[f64]) {
    let isas = Isa::ALL.into_iter().filter(|isa| isa.is_supported());
    let scalar_f64 = unary_f64(function.name()).unwrap();
    let scalar_f32 = unary_f32(function.name()).unwrap();
    for isa in isas {
        for length in LENGTHS {
            let mut data = values[..length].to_vec();
            apply_f64(function, isa, &mut data);
            for (x, result) in values.iter().zip(&data) {
                assert_eq!(
                    result.to_bits(),
                    scalar_f64(*x).to_bits(),
                    "{function:?} f64 {isa:?} at {x:e}"
                );
            }
            let inputs_f32: Vec<f32> = values[..length].iter().map(|&x| x as f32).collect();
            let mut data = inputs_f32.clone();
            apply_f32(function, isa, &mut data);
            for (x, result) in inputs_f32.iter().zip(&data) {
                assert_eq!(
                    result.to_bits(),
                    scalar_f32(*x).to_bits(),
                    "{function:?} f32 {isa:?} at {x:e}"
                );
            }
        }
    }
}

/// Two-operand routines against the scalar functions, on pairs of the inputs (the second
/// operand a rotation of the first, so special values meet ordinary ones).
#[test]
fn every_two_operand_routine_gives_the_scalar_bits() {
    let xs = inputs(10_007);
    let ys: Vec<f64> = xs
        .iter()
        .cycle()
        .skip(4_001)
        .take(xs.len())
        .copied()
        .collect();
    for function in BinaryFunction::ALL {
        let scalar_f64 = binary_f64(function.name()).unwrap();
        let scalar_f32 = binary_f32(function.name()).unwrap();
        for isa in Isa::ALL.into_iter().filter(|isa| isa.is_supported()) {
            for length in LENGTHS {
                let mut data = xs[..length].to_vec();
                apply2_f64(function, isa, &mut data, &ys[..length]);
                for ((x, y), result) in xs.iter().zip(&ys).zip(&data) {
                    let want = scalar_f64(*x, *y).to_bits();
                    assert_eq!(
                        result.to_bits(),
                        want,
                        "{function:?} f64 {isa:?} at ({x:e}, {y:e})"
                    );
                }
                let xs32: Vec<f32> = xs[..length].iter().map(|&x| x as f32).collect();
                let ys32: Vec<f32> = ys[..length].iter().map(|&y| y as f32).collect();
                let mut data = xs32.clone();
                apply2_f32(function, isa, &mut data, &ys32);
                for ((x, y), result) in xs32.iter().zip(&ys32).zip(&data) {
                    let want = scalar_f32(*x, *y).to_bits();
                    assert_eq!(
                        result.to_bits(),
                        want,
                        "{function:?} f32 {isa:?} at ({x:e}, {y:e})"
                    );
                }
            }
        }
    }
}

#[test]
fn functions_are_listed_in_index_order_and_found_by_name() {
    for (index, function) in BinaryFunction::ALL.into_iter().enumerate() {
        assert_eq!(function.index(), index);
        assert_eq!(BinaryFunction::from_name(function.name()), Some(function));
    }
    for (index, function) in Function::ALL.into_iter().enumerate() {
        assert_eq!(function.index(), index);
        assert_eq!(Function::from_name(function.name()), Some(function));
    }
}

#[test]
fn the_host_isa_is_supported() {
    assert!(Isa::host().is_supported());
    assert!(Isa::Baseline.is_supported());
}
