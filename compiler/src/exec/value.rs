//! Run-time values: every nx value is an array; rank-0 values are kept unboxed as `Scalar`
//! so scalar control flow does not allocate.

use nx_runtime::{AllocError, Array, DType, Scalar, format_array, format_scalar, format_type};

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(Scalar),
    Array(Array),
}

impl Value {
    pub fn dtype(&self) -> DType {
        match self {
            Value::Scalar(s) => s.dtype(),
            Value::Array(a) => a.dtype(),
        }
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            Value::Scalar(_) => &[],
            Value::Array(a) => a.shape(),
        }
    }

    /// The value as an array (a rank-0 array for scalars).
    pub fn to_array(&self) -> Array {
        match self {
            Value::Scalar(s) => Array::from_scalar(*s),
            Value::Array(a) => a.clone(),
        }
    }

    /// Normalizes a rank-0 array to a scalar, so rank-0 values are always `Scalar`.
    pub fn from_array(array: Array) -> Value {
        if array.ndim() == 0 {
            Value::Scalar(array.scalar_value())
        } else {
            Value::Array(array)
        }
    }

    /// The scalar of a rank-0 value. The checker guarantees rank 0 where this is called.
    pub fn scalar(&self) -> Scalar {
        match self {
            Value::Scalar(s) => *s,
            Value::Array(a) => a.scalar_value(),
        }
    }

    pub fn cast(&self, dtype: DType) -> Result<Value, AllocError> {
        Ok(match self {
            Value::Scalar(s) => Value::Scalar(s.cast(dtype)),
            Value::Array(a) => Value::Array(a.cast(dtype)?),
        })
    }

    /// Spec §9 text of the value.
    pub fn format(&self) -> String {
        match self {
            Value::Scalar(s) => format_scalar(*s),
            Value::Array(a) => format_array(a),
        }
    }

    /// The run-time type, e.g. `f64[3]`, as the REPL shows it.
    pub fn type_name(&self) -> String {
        format_type(self.dtype(), self.shape())
    }
}
