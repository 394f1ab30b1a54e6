//! nx embedding API.
