//! Kernels fed adversarial data never trap (spec §3.1, §10): integer division by zero and
//! negative integer powers are clear errors, `MIN // -1` wraps, float → integer conversions
//! saturate (nan → 0), and all of it holds on the vector, strided, threaded and scalar-function
//! paths. Expected values are computed here with Rust's own (saturating, wrapping) arithmetic.

use std::num::NonZeroUsize;

use ndarray::ArrayD;
use nx::Session;

/// Long enough for vector loops and for the split over worker threads.
const LEN: usize = 100_003;

fn session(threads: usize) -> Session {
    let mut session = Session::new_captured().unwrap();
    session.set_threads(NonZeroUsize::new(threads).unwrap());
    session
}

fn vector<T: Clone>(pattern: &[T]) -> ArrayD<T> {
    let values: Vec<T> = (0..LEN)
        .map(|i| pattern[i % pattern.len()].clone())
        .collect();
    ArrayD::from_shape_vec(vec![LEN], values).unwrap()
}

/// Python's floor division and modulo on i64, wrapping `MIN // -1` to `MIN` as spec §3.1 says.
fn floor_div_mod(a: i64, b: i64) -> (i64, i64) {
    let (quotient, remainder) = (a.wrapping_div(b), a.wrapping_rem(b));
    if remainder != 0 && ((remainder < 0) != (b < 0)) {
        (quotient - 1, remainder + b)
    } else {
        (quotient, remainder)
    }
}

#[test]
fn extreme_integers_divide_as_the_spec_says() {
    let a_pattern = [i64::MIN, i64::MAX, -7, 7, 0, -1, i64::MIN + 1];
    let b_pattern = [-1, 1, 2, -3, 5, -1, 7, i64::MIN, i64::MAX];
    for threads in [1, 2] {
        let mut session = session(threads);
        session.bind("a", vector(&a_pattern)).unwrap();
        session.bind("b", vector(&b_pattern)).unwrap();
        let quotients: Vec<i64> = session
            .eval_array::<i64>("a // b")
            .unwrap()
            .into_iter()
            .collect();
        let remainders: Vec<i64> = session
            .eval_array::<i64>("a % b")
            .unwrap()
            .into_iter()
            .collect();
        // Strided (reversed) operands take the scalar path.
        let reversed: Vec<i64> = session
            .eval_array::<i64>("a[::-1] // b[::-1]")
            .unwrap()
            .into_iter()
            .collect();
        for i in 0..LEN {
            let (a, b) = (
                a_pattern[i % a_pattern.len()],
                b_pattern[i % b_pattern.len()],
            );
            assert_eq!(
                (quotients[i], remainders[i]),
                floor_div_mod(a, b),
                "{a} // {b}"
            );
            let j = LEN - 1 - i;
            let (a, b) = (
                a_pattern[j % a_pattern.len()],
                b_pattern[j % b_pattern.len()],
            );
            assert_eq!(reversed[i], floor_div_mod(a, b).0, "{a} // {b} (reversed)");
        }
    }
}

#[test]
fn float_conversions_saturate() {
    let pattern = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        3.7,
        -3.7,
        -0.0,
        2.5e9,
        -2.5e9,
        255.9,
        256.0,
        f64::MIN_POSITIVE / 4.0,
    ];
    for threads in [1, 2] {
        let mut session = session(threads);
        session.bind("f", vector(&pattern)).unwrap();
        let as_i64: Vec<i64> = session
            .eval_array::<i64>("f as i64")
            .unwrap()
            .into_iter()
            .collect();
        let as_i32: Vec<i32> = session
            .eval_array::<i32>("f as i32")
            .unwrap()
            .into_iter()
            .collect();
        let as_u8: Vec<u8> = session
            .eval_array::<u8>("f as u8")
            .unwrap()
            .into_iter()
            .collect();
        let as_f32: Vec<f32> = session
            .eval_array::<f32>("f as f32")
            .unwrap()
            .into_iter()
            .collect();
        for i in 0..LEN {
            let x = pattern[i % pattern.len()];
            // Rust's `as` saturates and maps nan to 0: the spec's rule.
            assert_eq!(as_i64[i], x as i64, "{x} as i64");
            assert_eq!(as_i32[i], x as i32, "{x} as i32");
            assert_eq!(as_u8[i], x as u8, "{x} as u8");
            assert_eq!(as_f32[i].to_bits(), (x as f32).to_bits(), "{x} as f32");
        }
    }
}

#[test]
fn failing_integer_operations_are_errors_not_signals() {
    for threads in [1, 2] {
        let mut session = session(threads);
        let mut divisors = vec![3i64; LEN];
        divisors[LEN - 2] = 0;
        session.bind("a", vector(&[i64::MIN, 5, -5])).unwrap();
        session
            .bind("d", ArrayD::from_shape_vec(vec![LEN], divisors).unwrap())
            .unwrap();
        for (source, message) in [
            ("a // d", "integer division by zero"),
            ("a % d", "integer division by zero"),
            ("sum(a // d)", "integer division by zero"),
            (
                "a ** (d - 4)",
                "integers to negative integer powers are not allowed",
            ),
        ] {
            let error = session.eval(source).unwrap_err();
            assert!(
                error.rendered.contains(message),
                "{source}: {}",
                error.rendered
            );
        }
        // Inside an elementwise function compiled into a kernel, the error names the operation.
        session
            .run("fn ratio(x: i64, y: i64) -> i64 {\n    let q = x // y\n    q + 1\n}")
            .unwrap();
        let error = session.eval("ratio(a, d)").unwrap_err();
        assert!(
            error.rendered.contains("integer division by zero"),
            "{}",
            error.rendered
        );
        assert!(
            error.rendered.contains("x // y"),
            "points at the body: {}",
            error.rendered
        );
        // The session is still usable afterwards.
        assert_eq!(
            session
                .eval_array::<i64>("d[:2] // 3")
                .unwrap()
                .into_raw_vec_and_offset()
                .0,
            vec![1, 1]
        );
    }
}
