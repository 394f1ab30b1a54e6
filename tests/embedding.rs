//! The embedding API: host arrays in, results out, errors as values.

use nx::{ErrorKind, Session};

#[test]
fn host_arrays_of_every_element_type_round_trip() {
    let mut session = Session::new_captured().unwrap();
    session
        .bind("f", ndarray::arr2(&[[1.5f32, 2.5], [3.5, 4.5]]).into_dyn())
        .unwrap();
    session
        .bind("i", ndarray::arr1(&[-3i16, 7]).into_dyn())
        .unwrap();
    session
        .bind("u", ndarray::arr1(&[250u8, 10]).into_dyn())
        .unwrap();
    session
        .bind("b", ndarray::arr1(&[true, false]).into_dyn())
        .unwrap();
    session.bind_scalar("k", 2i64).unwrap();
    assert_eq!(
        session.eval_array::<f32>("f.T * 2.0").unwrap(),
        ndarray::arr2(&[[3.0f32, 7.0], [5.0, 9.0]]).into_dyn()
    );
    assert_eq!(
        session.eval_array::<i16>("i * 2").unwrap(),
        ndarray::arr1(&[-6i16, 14]).into_dyn()
    );
    // u8 arithmetic wraps, as NumPy's does.
    assert_eq!(
        session.eval_array::<u8>("u + 10").unwrap(),
        ndarray::arr1(&[4u8, 20]).into_dyn()
    );
    assert_eq!(
        session.eval_array::<bool>("not b").unwrap(),
        ndarray::arr1(&[false, true]).into_dyn()
    );
    assert_eq!(session.eval_array::<i64>("k * 21").unwrap()[[]], 42);
}

#[test]
fn non_contiguous_host_views_are_bound_correctly() {
    let mut session = Session::new_captured().unwrap();
    let matrix = ndarray::Array2::from_shape_fn((3, 4), |(r, c)| (r * 10 + c) as f64);
    session.bind("m", matrix.t().to_owned().into_dyn()).unwrap();
    session
        .bind(
            "rev",
            matrix.slice(ndarray::s![.., ..;-1]).to_owned().into_dyn(),
        )
        .unwrap();
    assert_eq!(
        session.eval_array::<f64>("m[1]").unwrap(),
        ndarray::arr1(&[1.0, 11.0, 21.0]).into_dyn()
    );
    assert_eq!(
        session.eval_array::<f64>("rev[0]").unwrap(),
        ndarray::arr1(&[3.0, 2.0, 1.0, 0.0]).into_dyn()
    );
}

#[test]
fn nx_writes_never_reach_the_bound_buffer() {
    let mut session = Session::new_captured().unwrap();
    session
        .bind("x", ndarray::arr1(&[1.0f64, 2.0, 3.0]).into_dyn())
        .unwrap();
    session.run("let y = x\ny[0] = 100.0").unwrap();
    assert_eq!(
        session.get::<f64>("x").unwrap(),
        ndarray::arr1(&[1.0, 2.0, 3.0]).into_dyn()
    );
    assert_eq!(
        session.get::<f64>("y").unwrap(),
        ndarray::arr1(&[100.0, 2.0, 3.0]).into_dyn()
    );
}

#[test]
fn errors_are_values_and_keep_the_session_usable() {
    let mut session = Session::new_captured().unwrap();
    session
        .bind("x", ndarray::arr1(&[1.0f64, 2.0]).into_dyn())
        .unwrap();
    let err = session.eval("x + [1.0, 2.0, 3.0]").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Compile);
    assert!(
        err.rendered.contains("cannot broadcast f64[2] with f64[3]"),
        "{}",
        err.rendered
    );
    let err = session.run("print(x[5])").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Runtime);
    let err = session.get::<f64>("nope").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Usage);
    let err = session.get::<i32>("x").unwrap_err();
    assert!(err.rendered.contains("dtype f64"), "{}", err.rendered);
    assert!(
        session
            .bind("for", ndarray::arr1(&[1.0f64]).into_dyn())
            .is_err(),
        "keywords are not names"
    );
    assert_eq!(session.eval_array::<f64>("x.sum()").unwrap()[[]], 3.0);
}

#[test]
fn print_output_is_captured_not_written() {
    let mut session = Session::new_captured().unwrap();
    session.run("print(\"hello\", [1, 2])").unwrap();
    assert_eq!(session.take_output(), "hello [1, 2]\n");
    assert_eq!(session.take_output(), "");
}

#[test]
fn compile_kernels_compiles_without_running_or_binding() {
    let mut session = Session::new_captured().unwrap();
    session
        .bind("x", ndarray::arr1(&[1.0f64, 2.0, 3.0]).into_dyn())
        .unwrap();
    // One fused elementwise kernel for `y`, one reduction kernel for the sum.
    let source = "let y = x * 2.0 + 1.0\nprint(sum(y * x))";
    assert_eq!(session.compile_kernels("<bench>", source).unwrap(), 2);
    assert_eq!(session.take_output(), "", "nothing ran");
    assert_eq!(
        session.vars(),
        vec![("x".to_string(), "f64[3]".to_string())],
        "nothing was bound"
    );
    let err = session
        .compile_kernels("<bench>", "let z = x + [1.0, 2.0]")
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Compile);
    // The session is still usable, and the program runs as checked.
    session.run(source).unwrap();
    assert_eq!(session.take_output(), "34.0\n");
}
