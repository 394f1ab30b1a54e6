//! Embedding nx in a Rust program: bind host `ndarray` arrays (no copy), run nx code, read
//! results back. Run with `cargo run --example embed`; `cargo test` runs it too.

fn main() -> Result<(), nx::Error> {
    let mut session = nx::Session::new_captured()?;

    // The host's arrays become nx variables; nx reads their memory in place.
    let prices = ndarray::arr1(&[10.0f64, 11.5, 9.75, 12.25]).into_dyn();
    let volumes = ndarray::arr1(&[100.0f64, 250.0, 80.0, 120.0]).into_dyn();
    session.bind("prices", prices)?;
    session.bind("volumes", volumes)?;

    session.run("let vwap = sum(prices * volumes) / sum(volumes)")?;
    let vwap = session.get::<f64>("vwap")?;
    println!("volume-weighted average price: {}", vwap[[]]);

    let scaled =
        session.eval_array::<f64>("(prices - min(prices)) / (max(prices) - min(prices))")?;
    println!("normalized prices: {scaled}");

    // Errors are values, rendered against the source; the session keeps its bindings.
    let err = session.run("let broken = prices + [1.0, 2.0]").unwrap_err();
    println!("an error, as a value:\n{err}");
    println!("prices still bound: {}", session.get::<f64>("prices")?);
    Ok(())
}

#[test]
fn embed_example_runs() {
    main().expect("the embedding example runs");
}
