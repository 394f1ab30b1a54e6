//! The loop IR verifier: checks that a `Kernel` is well formed before it is interpreted or
//! compiled. Run between passes in tests and by the JIT before every compile.
//!
//! The rules, beyond those written in `ir/mod.rs`:
//! - `reduce_axes <= rank`. A kernel with `reduce_axes == 0` has only `Store` effects; one with
//!   `reduce_axes > 0` has only `Reduce` effects (a kernel that both stores per point and reduces
//!   is two kernels). Every output buffer is written by exactly one effect; `uniform` is for
//!   inputs only.
//! - Which dtypes each operation accepts (bool is not a number here):
//!   `neg abs sign` numbers; `not` integers and bool; `sqrt` floats; `floor ceil trunc round`
//!   numbers (the identity on integers); `isnan isinf isfinite` numbers, bool result.
//!   `add sub mul floordiv mod pow` numbers; `div copysign` floats; `min max` any dtype;
//!   `and or xor` integers and bool; `shl shr` integers; comparisons any dtype, both operands
//!   alike, bool result. `math` floats, with the function's arity.
//! - `reduce sum/prod` numbers; `min/max` any dtype; `any/all` bool; for all of these the value
//!   has the output's dtype. `argmin/argmax` take any dtype and write an `i64` output.

use cranelift_entity::EntityRef;
use nx_runtime::DType;

use cranelift_entity::PrimaryMap;

use super::{
    BinaryOp, BufRole, Effect, FuncId, Inst, Kernel, MathFn, ReduceOp, ScalarFunc, Stmt, UnaryOp,
    ValueData, ValueId,
};

/// How many operands a math function takes.
pub fn math_fn_arity(function: MathFn) -> usize {
    match function {
        MathFn::Atan2 | MathFn::Hypot | MathFn::Pow => 2,
        _ => 1,
    }
}

fn is_number(dtype: DType) -> bool {
    dtype.is_int() || dtype.is_float()
}

/// Checks every rule above; the error names the first offending value, buffer or effect.
pub fn verify(kernel: &Kernel) -> Result<(), String> {
    if kernel.reduce_axes > kernel.rank {
        return Err(format!(
            "reduce_axes {} exceeds rank {}",
            kernel.reduce_axes, kernel.rank
        ));
    }
    for (buf, decl) in kernel.bufs.iter() {
        if decl.role == BufRole::Output && decl.uniform {
            return Err(format!("{buf}: an output buffer cannot be uniform"));
        }
    }
    for (value, data) in kernel.values.iter() {
        let body = Body {
            kernel,
            func: None,
            values: &kernel.values,
            is_defined: &|operand| operand < value,
        };
        verify_value(&body, &data.inst, data.dtype)
            .map_err(|message| format!("{value}: {message}"))?;
    }
    for (id, func) in kernel.funcs.iter() {
        verify_func(kernel, id, func).map_err(|message| format!("{id}: {message}"))?;
    }
    let mut written = vec![false; kernel.bufs.len()];
    for (index, effect) in kernel.effects.iter().enumerate() {
        verify_effect(kernel, effect, &mut written)
            .map_err(|message| format!("effect {index}: {message}"))?;
    }
    Ok(())
}

/// Where a value lives: a kernel body, or one of its scalar functions (`func`).
struct Body<'a> {
    kernel: &'a Kernel,
    func: Option<(FuncId, &'a ScalarFunc)>,
    values: &'a PrimaryMap<ValueId, ValueData>,
    /// Whether an operand is computed before the value being checked, on every path to it.
    is_defined: &'a dyn Fn(ValueId) -> bool,
}

impl Body<'_> {
    fn operand_dtype(&self, operand: ValueId) -> Result<DType, String> {
        if self.values.get(operand).is_none() || !(self.is_defined)(operand) {
            return Err(format!("operand {operand} is not defined before its use"));
        }
        Ok(self.values[operand].dtype)
    }
}

fn verify_value(body: &Body, inst: &Inst, dtype: DType) -> Result<(), String> {
    let kernel = body.kernel;
    let operand_dtype = |operand: ValueId| body.operand_dtype(operand);
    let in_kernel = |what: &str| match body.func {
        None => Ok(()),
        Some(_) => Err(format!("{what} in a scalar function")),
    };
    let in_func = |what: &str| {
        body.func
            .map(|(_, func)| func)
            .ok_or_else(|| format!("{what} outside a scalar function"))
    };
    match inst {
        Inst::Load(buf) => {
            let decl = kernel
                .bufs
                .get(*buf)
                .ok_or_else(|| format!("load of undeclared {buf}"))?;
            if decl.role != BufRole::Input {
                return Err(format!("load of {buf}, which is not an input"));
            }
            if body.func.is_some() && !decl.uniform {
                return Err(format!("load of non-uniform {buf} in a scalar function"));
            }
            if decl.dtype != dtype {
                return Err(format!("load of {buf} ({}) typed {dtype}", decl.dtype));
            }
        }
        Inst::Call(func, operands) => {
            if let Some((caller, _)) = body.func
                && *func >= caller
            {
                return Err(format!("{caller} calls {func}, whose id is not smaller"));
            }
            let callee = kernel
                .funcs
                .get(*func)
                .ok_or_else(|| format!("call of undeclared {func}"))?;
            if operands.len() != callee.params.len() {
                return Err(format!(
                    "{func} takes {} arguments, given {}",
                    callee.params.len(),
                    operands.len()
                ));
            }
            for (operand, param) in operands.iter().zip(&callee.params) {
                if operand_dtype(*operand)? != *param {
                    return Err(format!("argument {operand} of {func} is not {param}"));
                }
            }
            if callee.result != dtype {
                return Err(format!("{func} returns {}, typed {dtype}", callee.result));
            }
        }
        Inst::Param(index) => {
            let func = in_func("param")?;
            match func.params.get(*index) {
                Some(param) if *param == dtype => {}
                Some(param) => return Err(format!("param {index} is {param}, typed {dtype}")),
                None => return Err(format!("param {index} of {} parameters", func.params.len())),
            }
        }
        Inst::ReadVar(var) => {
            let func = in_func("read")?;
            match func.vars.get(*var) {
                Some(declared) if *declared == dtype => {}
                Some(declared) => return Err(format!("{var} is {declared}, read as {dtype}")),
                None => return Err(format!("read of undeclared {var}")),
            }
        }
        Inst::Const(scalar) => {
            if scalar.dtype() != dtype {
                return Err(format!("constant of {} typed {dtype}", scalar.dtype()));
            }
        }
        Inst::AxisIndex(axis) => {
            in_kernel("axis index")?;
            if *axis >= kernel.rank {
                return Err(format!("axis {axis} out of rank {}", kernel.rank));
            }
            if dtype != DType::I64 {
                return Err(format!("axis index typed {dtype}, not i64"));
            }
        }
        Inst::Unary(op, operand) => {
            let input = operand_dtype(*operand)?;
            let (accepted, result) = match op {
                UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => (is_number(input), input),
                UnaryOp::Not => (input.is_int() || input.is_bool(), input),
                UnaryOp::Sqrt => (input.is_float(), input),
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => {
                    (is_number(input), input)
                }
                UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => {
                    (is_number(input), DType::Bool)
                }
            };
            if !accepted {
                return Err(format!("{op:?} does not apply to {input}"));
            }
            if result != dtype {
                return Err(format!("{op:?} of {input} gives {result}, typed {dtype}"));
            }
        }
        Inst::Binary(op, lhs, rhs) => {
            let left = operand_dtype(*lhs)?;
            let right = operand_dtype(*rhs)?;
            if left != right {
                return Err(format!("{op:?} operands differ: {left} and {right}"));
            }
            let (accepted, result) = match op {
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::FloorDiv
                | BinaryOp::Mod
                | BinaryOp::Pow => (is_number(left), left),
                BinaryOp::Div | BinaryOp::Copysign => (left.is_float(), left),
                BinaryOp::Min | BinaryOp::Max => (true, left),
                BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                    (left.is_int() || left.is_bool(), left)
                }
                BinaryOp::Shl | BinaryOp::Shr => (left.is_int(), left),
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => (true, DType::Bool),
            };
            if !accepted {
                return Err(format!("{op:?} does not apply to {left}"));
            }
            if result != dtype {
                return Err(format!("{op:?} of {left} gives {result}, typed {dtype}"));
            }
        }
        Inst::Select(cond, if_true, if_false) => {
            if operand_dtype(*cond)? != DType::Bool {
                return Err("select condition is not bool".to_string());
            }
            if operand_dtype(*if_true)? != dtype || operand_dtype(*if_false)? != dtype {
                return Err(format!("select branches are not both {dtype}"));
            }
        }
        Inst::Cast(operand) => {
            operand_dtype(*operand)?;
        }
        Inst::Math(function, operands) => {
            if !dtype.is_float() {
                return Err(format!("math {function:?} typed {dtype}, not a float"));
            }
            if operands.len() != math_fn_arity(*function) {
                return Err(format!(
                    "math {function:?} takes {} operands, has {}",
                    math_fn_arity(*function),
                    operands.len()
                ));
            }
            for operand in operands {
                if operand_dtype(*operand)? != dtype {
                    return Err(format!(
                        "math {function:?} operand {operand} is not {dtype}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The statement rules of `ScalarFunc`: each value computed once and used only where it is
/// defined, variables and branches well typed, `break`/`continue` inside loops (not latches),
/// and a final `return`.
fn verify_func(kernel: &Kernel, id: FuncId, func: &ScalarFunc) -> Result<(), String> {
    if !matches!(func.body.last(), Some(Stmt::Return(_))) {
        return Err("the body does not end in a return".to_string());
    }
    let mut checker = FuncChecker {
        kernel,
        id,
        func,
        defined: vec![false; func.values.len()],
        evaluated: vec![false; func.values.len()],
    };
    checker.stmts(&func.body, Context::Body { in_loop: false })
}

#[derive(Clone, Copy)]
enum Context {
    Body { in_loop: bool },
    Latch,
}

struct FuncChecker<'a> {
    kernel: &'a Kernel,
    id: FuncId,
    func: &'a ScalarFunc,
    /// Values computed on every path to the current statement.
    defined: Vec<bool>,
    /// Values with an `Eval` anywhere so far.
    evaluated: Vec<bool>,
}

impl FuncChecker<'_> {
    /// Checks a statement list; values computed inside it go out of scope after it.
    fn stmts(&mut self, stmts: &[Stmt], context: Context) -> Result<(), String> {
        let outer = self.defined.clone();
        for stmt in stmts {
            self.stmt(stmt, context)?;
        }
        self.defined = outer;
        Ok(())
    }

    fn used(&self, value: ValueId) -> Result<DType, String> {
        match self.defined.get(value.index()) {
            Some(true) => Ok(self.func.values[value].dtype),
            _ => Err(format!("{value} is used where it is not defined")),
        }
    }

    fn stmt(&mut self, stmt: &Stmt, context: Context) -> Result<(), String> {
        let in_loop = matches!(context, Context::Body { in_loop: true });
        match stmt {
            Stmt::Eval(value) => {
                let data = self
                    .func
                    .values
                    .get(*value)
                    .ok_or_else(|| format!("eval of undeclared {value}"))?;
                if self.evaluated[value.index()] {
                    return Err(format!("{value} is computed twice"));
                }
                let defined = &self.defined;
                let body = Body {
                    kernel: self.kernel,
                    func: Some((self.id, self.func)),
                    values: &self.func.values,
                    is_defined: &|operand| defined[operand.index()],
                };
                verify_value(&body, &data.inst, data.dtype)
                    .map_err(|message| format!("{value}: {message}"))?;
                self.evaluated[value.index()] = true;
                self.defined[value.index()] = true;
            }
            Stmt::Assign(var, value) => {
                let declared = self
                    .func
                    .vars
                    .get(*var)
                    .ok_or_else(|| format!("assignment to undeclared {var}"))?;
                let dtype = self.used(*value)?;
                if dtype != *declared {
                    return Err(format!("{var} is {declared}, assigned {dtype}"));
                }
            }
            Stmt::If { cond, then, else_ } => {
                if self.used(*cond)? != DType::Bool {
                    return Err(format!("if condition {cond} is not bool"));
                }
                self.stmts(then, context)?;
                self.stmts(else_, context)?;
            }
            Stmt::Loop { body, latch } => {
                if matches!(context, Context::Latch) {
                    return Err("a loop inside a latch".to_string());
                }
                self.stmts(body, Context::Body { in_loop: true })?;
                self.stmts(latch, Context::Latch)?;
            }
            Stmt::Break | Stmt::Continue if in_loop => {}
            Stmt::Break | Stmt::Continue => {
                return Err("break or continue outside a loop body".to_string());
            }
            Stmt::Return(value) => {
                if matches!(context, Context::Latch) {
                    return Err("return inside a latch".to_string());
                }
                let dtype = self.used(*value)?;
                if dtype != self.func.result {
                    return Err(format!("returns {dtype}, declared {}", self.func.result));
                }
            }
        }
        Ok(())
    }
}

fn verify_effect(kernel: &Kernel, effect: &Effect, written: &mut [bool]) -> Result<(), String> {
    let (buf, value) = match effect {
        Effect::Store { buf, value } | Effect::Reduce { buf, value, .. } => (*buf, *value),
    };
    let decl = kernel
        .bufs
        .get(buf)
        .ok_or_else(|| format!("writes undeclared {buf}"))?;
    if decl.role != BufRole::Output {
        return Err(format!("writes {buf}, which is not an output"));
    }
    if written[buf.index()] {
        return Err(format!("{buf} is written by more than one effect"));
    }
    written[buf.index()] = true;
    let value_dtype = kernel
        .values
        .get(value)
        .ok_or_else(|| format!("undefined value {value}"))?
        .dtype;
    match effect {
        Effect::Store { .. } => {
            if kernel.reduce_axes != 0 {
                return Err("store in a reducing kernel".to_string());
            }
            if value_dtype != decl.dtype {
                return Err(format!("stores {value_dtype} into {} {buf}", decl.dtype));
            }
        }
        Effect::Reduce { op, .. } => {
            if kernel.reduce_axes == 0 {
                return Err("reduce in a kernel without reduced axes".to_string());
            }
            let (accepted, result) = match op {
                ReduceOp::Sum | ReduceOp::Prod => (is_number(value_dtype), value_dtype),
                ReduceOp::Min | ReduceOp::Max => (true, value_dtype),
                ReduceOp::Any | ReduceOp::All => (value_dtype.is_bool(), value_dtype),
                ReduceOp::ArgMin | ReduceOp::ArgMax => (true, DType::I64),
            };
            if !accepted {
                return Err(format!("reduce {op:?} does not apply to {value_dtype}"));
            }
            if result != decl.dtype {
                return Err(format!(
                    "reduce {op:?} of {value_dtype} gives {result}, {buf} is {}",
                    decl.dtype
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nx_runtime::Scalar;

    use super::super::{BufRole, Effect, Inst, Kernel};
    use super::*;

    fn simple_kernel() -> Kernel {
        let mut kernel = Kernel::new("k", 1);
        let input = kernel.add_buf(DType::F64, BufRole::Input, false);
        let output = kernel.add_buf(DType::F64, BufRole::Output, false);
        let loaded = kernel.add_value(Inst::Load(input), DType::F64);
        let three = kernel.add_value(Inst::Const(Scalar::F64(3.0)), DType::F64);
        let sum = kernel.add_value(Inst::Binary(BinaryOp::Add, loaded, three), DType::F64);
        kernel.effects.push(Effect::Store {
            buf: output,
            value: sum,
        });
        kernel
    }

    #[test]
    fn accepts_a_well_formed_kernel() {
        assert_eq!(verify(&simple_kernel()), Ok(()));
    }

    /// `x -> if x > 0 { y = x } ; return y`-like function over f64, called by the kernel.
    fn kernel_with_function() -> Kernel {
        let mut kernel = simple_kernel();
        let mut func = ScalarFunc {
            name: "f".to_string(),
            params: vec![DType::F64],
            result: DType::F64,
            vars: PrimaryMap::new(),
            values: PrimaryMap::new(),
            body: Vec::new(),
        };
        let var = func.vars.push(DType::F64);
        let param = func.values.push(ValueData {
            inst: Inst::Param(0),
            dtype: DType::F64,
        });
        let zero = func.values.push(ValueData {
            inst: Inst::Const(Scalar::F64(0.0)),
            dtype: DType::F64,
        });
        let positive = func.values.push(ValueData {
            inst: Inst::Binary(BinaryOp::Gt, param, zero),
            dtype: DType::Bool,
        });
        let read = func.values.push(ValueData {
            inst: Inst::ReadVar(var),
            dtype: DType::F64,
        });
        func.body = vec![
            Stmt::Eval(param),
            Stmt::Eval(zero),
            Stmt::Eval(positive),
            Stmt::If {
                cond: positive,
                then: vec![Stmt::Assign(var, param)],
                else_: Vec::new(),
            },
            Stmt::Eval(read),
            Stmt::Return(read),
        ];
        let id = kernel.funcs.push(func);
        let sum = ValueId::from_u32(2);
        let called = kernel.add_value(Inst::Call(id, vec![sum]), DType::F64);
        kernel.effects[0] = Effect::Store {
            buf: super::super::BufId::from_u32(1),
            value: called,
        };
        kernel
    }

    #[test]
    fn checks_scalar_functions() {
        assert_eq!(verify(&kernel_with_function()), Ok(()));
        let func = super::super::FuncId::from_u32(0);

        let mut kernel = kernel_with_function();
        kernel.funcs[func].body.pop();
        assert!(
            verify(&kernel)
                .unwrap_err()
                .contains("does not end in a return")
        );

        // A value computed inside a branch is not defined after it.
        let mut kernel = kernel_with_function();
        let eval_zero = kernel.funcs[func].body.remove(1);
        let Stmt::If { then, .. } = &mut kernel.funcs[func].body[2] else {
            unreachable!()
        };
        then.insert(0, eval_zero);
        assert!(verify(&kernel).unwrap_err().contains("not defined"));

        let mut kernel = kernel_with_function();
        kernel.funcs[func].body.insert(0, Stmt::Break);
        assert!(verify(&kernel).unwrap_err().contains("outside a loop"));

        let mut kernel = kernel_with_function();
        kernel.funcs[func]
            .body
            .insert(0, Stmt::Eval(ValueId::from_u32(0)));
        assert!(verify(&kernel).unwrap_err().contains("computed twice"));

        // Loads in functions are of uniform inputs only; calls go to smaller ids only.
        let mut kernel = kernel_with_function();
        kernel.funcs[func].values[ValueId::from_u32(1)].inst =
            Inst::Load(super::super::BufId::from_u32(0));
        assert!(verify(&kernel).unwrap_err().contains("non-uniform"));

        let mut kernel = kernel_with_function();
        kernel.funcs[func].values[ValueId::from_u32(1)].inst =
            Inst::Call(func, vec![ValueId::from_u32(0)]);
        assert!(verify(&kernel).unwrap_err().contains("not smaller"));
    }

    #[test]
    fn rejects_malformed_kernels() {
        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(2)].dtype = DType::F32;
        assert!(verify(&kernel).is_err());

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(0)].inst = Inst::Load(super::super::BufId::from_u32(1));
        assert!(verify(&kernel).unwrap_err().contains("not an input"));

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(2)].inst =
            Inst::Binary(BinaryOp::Shl, ValueId::from_u32(0), ValueId::from_u32(1));
        assert!(verify(&kernel).is_err());

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(1)].inst = Inst::Unary(UnaryOp::Neg, ValueId::from_u32(2));
        assert!(verify(&kernel).unwrap_err().contains("before its use"));

        let mut kernel = simple_kernel();
        kernel.reduce_axes = 1;
        assert!(verify(&kernel).unwrap_err().contains("store in a reducing"));

        let mut kernel = simple_kernel();
        kernel.reduce_axes = 2;
        assert!(verify(&kernel).is_err());
    }
}
