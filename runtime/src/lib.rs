//! nx runtime: dtypes, buffers, arrays and views, printing. Knows nothing of the compiler.
